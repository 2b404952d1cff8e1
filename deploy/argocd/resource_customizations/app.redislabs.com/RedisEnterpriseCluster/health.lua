-- RedisEnterpriseCluster (app.redislabs.com/v1), as cairn's redis-enterprise-cluster
-- evaluator judges it (lib/health/operators.ts): status.state (ClusterState).
local hs = {}
local status = obj.status
local state = status ~= nil and status.state or nil
if type(state) ~= "string" then
  hs.status = "Unknown"
  hs.message = "No status.state yet"
  return hs
end
local degraded = { Error = true, Invalid = true, InvalidUpgrade = true, Deleting = true }
local progressing = {
  PendingCreation = true, BootstrappingFirstPod = true, Initializing = true, Upgrade = true,
  RunningRollingUpdate = true, RecoveringFirstPod = true, RecoveryReset = true, ClusterRecreating = true,
}
if degraded[state] then
  hs.status = "Degraded"
  hs.message = "status.state is " .. state
elseif status.specStatus == "Invalid" then
  hs.status = "Degraded"
  hs.message = "status.specStatus is Invalid"
elseif progressing[state] then
  hs.status = "Progressing"
  hs.message = "status.state is " .. state
elseif state == "Running" then
  hs.status = "Healthy"
  hs.message = "Running"
else
  hs.status = "Unknown"
  hs.message = "status.state is " .. state
end
return hs
