-- KubeDB RedisOpsRequest (ops.kubedb.com/v1alpha1), as cairn's kubedb-ops-request
-- evaluator judges it (lib/health/operators.ts): Successful is done; Failed and
-- Denied are final; anything else is still on its way.
local hs = {}
local status = obj.status
local phase = status ~= nil and status.phase or nil
local function conditionMessage(t)
  if status == nil or type(status.conditions) ~= "table" then return nil end
  for _, c in ipairs(status.conditions) do
    if type(c) == "table" and c.type == t and type(c.status) == "string" then return c.message end
  end
  return nil
end
if phase == "Successful" then
  hs.status = "Healthy"
  hs.message = "Successful"
elseif phase == "Failed" or phase == "Denied" then
  hs.status = "Degraded"
  local why = conditionMessage("Failure") or conditionMessage("Denied")
  hs.message = phase
  if type(why) == "string" then hs.message = phase .. ": " .. why end
elseif type(phase) ~= "string" then
  hs.status = "Progressing"
  hs.message = "Not picked up yet (no status.phase)"
else
  hs.status = "Progressing"
  hs.message = phase
end
return hs
