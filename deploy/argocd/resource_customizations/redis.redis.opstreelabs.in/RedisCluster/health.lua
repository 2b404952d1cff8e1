-- OT-Container-Kit RedisCluster (redis.redis.opstreelabs.in/v1beta2), as cairn's
-- ot-redis-cluster evaluator judges it (lib/health/operators.ts): status.state, and
-- every leader and follower ready.
local hs = {}
local status = obj.status
local spec = obj.spec or {}
local state = status ~= nil and status.state or nil
if type(state) ~= "string" then
  hs.status = "Unknown"
  hs.message = "No status.state yet"
  return hs
end
local reason = status.reason
if type(reason) ~= "string" then reason = nil end
if state == "Failed" then
  hs.status = "Degraded"
  hs.message = "status.state is Failed"
  if reason then hs.message = hs.message .. ": " .. reason end
  return hs
end
if state ~= "Ready" then
  hs.status = "Progressing"
  hs.message = "status.state is " .. state
  if reason then hs.message = hs.message .. " (" .. reason .. ")" end
  return hs
end
local function number(v) if type(v) == "number" then return v end return nil end
local size = number(spec.clusterSize)
local leaders = (type(spec.redisLeader) == "table" and number(spec.redisLeader.replicas)) or size
local followers = (type(spec.redisFollower) == "table" and number(spec.redisFollower.replicas)) or size
local readyLeaders = number(status.readyLeaderReplicas) or 0
local readyFollowers = number(status.readyFollowerReplicas) or 0
if leaders == nil then
  hs.status = "Unknown"
  hs.message = "No spec.clusterSize"
  return hs
end
if readyLeaders < leaders or readyFollowers < (followers or 0) then
  hs.status = "Progressing"
  hs.message = readyLeaders .. "/" .. leaders .. " leaders and " .. readyFollowers .. "/" .. tostring(followers) .. " followers ready"
  return hs
end
hs.status = "Healthy"
hs.message = "Ready with " .. readyLeaders .. " leaders and " .. readyFollowers .. " followers"
return hs
