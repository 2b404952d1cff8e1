-- howl-cloud RedisCluster (redis.io/v1), as cairn's howl-redis-cluster evaluator
-- judges it (lib/health/operators.ts). WaitingForUser is Suspended: the supervised
-- primary update waits for the one-shot approval annotation.
local hs = {}
local status = obj.status
local phase = status ~= nil and status.phase or nil
if type(phase) ~= "string" then
  hs.status = "Unknown"
  hs.message = "No status.phase yet"
  return hs
end
if phase == "WaitingForUser" then
  hs.status = "Suspended"
  hs.message = "Replicas are updated; the primary update waits for approval (annotation redis.io/approve-primary-update: \"true\")"
  return hs
end
if phase == "Degraded" or phase == "Hibernating" or phase == "Deleting" then
  hs.status = "Degraded"
  hs.message = "status.phase is " .. phase
  return hs
end
local transitional = { Creating = true, Replicating = true, FailingOver = true, Scaling = true, Updating = true }
if phase ~= "Healthy" then
  if transitional[phase] then
    hs.status = "Progressing"
  else
    hs.status = "Unknown"
  end
  hs.message = "status.phase is " .. phase
  return hs
end
local instances = obj.spec ~= nil and obj.spec.instances or nil
if type(instances) ~= "number" then instances = status.instances end
local ready = status.readyInstances
if type(instances) ~= "number" or type(ready) ~= "number" then
  hs.status = "Unknown"
  hs.message = "No status.readyInstances and spec.instances"
  return hs
end
if ready ~= instances then
  hs.status = "Progressing"
  hs.message = ready .. "/" .. instances .. " instances ready"
  return hs
end
if type(status.currentPrimary) ~= "string" or status.currentPrimary == "" then
  hs.status = "Progressing"
  hs.message = "status.currentPrimary is not set"
  return hs
end
if type(status.instancesStatus) == "table" then
  local down = {}
  for pod, s in pairs(status.instancesStatus) do
    if type(s) == "table" then
      if s.masterLinkStatus == "down" then
        table.insert(down, pod .. " (master link down)")
      elseif s.connected == false then
        table.insert(down, pod .. " (not reachable)")
      end
    end
  end
  if #down > 0 then
    table.sort(down)
    hs.status = "Degraded"
    hs.message = "Replication problem on " .. table.concat(down, ", ")
    return hs
  end
end
hs.status = "Healthy"
hs.message = "Healthy, " .. ready .. "/" .. instances .. " ready, primary " .. status.currentPrimary
return hs
