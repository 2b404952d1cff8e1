-- RedisEnterpriseDatabase (app.redislabs.com/v1alpha1), as cairn's
-- redis-enterprise-database evaluator judges it (lib/health/operators.ts).
local hs = {}
local status = obj.status
local generation = obj.metadata ~= nil and obj.metadata.generation or nil
local observed = status ~= nil and status.observedGeneration or nil
if type(generation) == "number" and type(observed) == "number" and observed < generation then
  hs.status = "Progressing"
  hs.message = "status.observedGeneration " .. observed .. " is behind metadata.generation " .. generation
  return hs
end
local s = status ~= nil and status.status or nil
local pending = { ["active-change-pending"] = true, pending = true, recovery = true, ["import-pending"] = true }
if s == "active" then
  hs.status = "Healthy"
  hs.message = "active"
elseif s == "creation-failed" then
  hs.status = "Degraded"
  hs.message = "creation-failed"
elseif status ~= nil and status.specStatus == "Invalid" then
  hs.status = "Degraded"
  hs.message = "status.specStatus is Invalid"
elseif pending[s] then
  hs.status = "Progressing"
  hs.message = "status.status is " .. s
else
  hs.status = "Unknown"
  hs.message = "status.status is " .. (type(s) == "string" and s or "(none)")
end
return hs
