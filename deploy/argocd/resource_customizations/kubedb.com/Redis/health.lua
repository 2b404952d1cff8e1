-- KubeDB Redis (kubedb.com/v1), as cairn's kubedb-redis evaluator judges it
-- (lib/health/operators.ts): status.phase, once the current generation is observed.
local hs = {}
local status = obj.status
local generation = obj.metadata ~= nil and obj.metadata.generation or nil
local observed = status ~= nil and status.observedGeneration or nil
if type(generation) == "number" and type(observed) == "number" and observed < generation then
  hs.status = "Progressing"
  hs.message = "status.observedGeneration " .. observed .. " is behind metadata.generation " .. generation
  return hs
end
local phase = status ~= nil and status.phase or nil
if phase == "Ready" then
  hs.status = "Healthy"
  hs.message = "Ready"
elseif phase == "Critical" or phase == "NotReady" or phase == "Halted" then
  hs.status = "Degraded"
  hs.message = "status.phase is " .. phase
elseif phase == "Provisioning" or phase == "DataRestoring" then
  hs.status = "Progressing"
  hs.message = "status.phase is " .. phase
else
  hs.status = "Unknown"
  hs.message = "status.phase is " .. (type(phase) == "string" and phase or "(none)")
end
return hs
