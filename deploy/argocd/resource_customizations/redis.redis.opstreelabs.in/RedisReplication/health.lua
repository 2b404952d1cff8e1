-- OT-Container-Kit RedisReplication (redis.redis.opstreelabs.in/v1beta2). Its status
-- has only status.masterNode: without one the replication has no primary yet.
-- Pod readiness reaches Argo CD through the StatefulSet it owns (cairn's
-- ot-redis-replication evaluator reads the pods too).
local hs = {}
local master = obj.status ~= nil and obj.status.masterNode or nil
if type(master) == "string" and master ~= "" then
  hs.status = "Healthy"
  hs.message = "Primary " .. master
else
  hs.status = "Progressing"
  hs.message = "No status.masterNode yet"
end
return hs
