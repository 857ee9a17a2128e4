/**
 * @module store/redis/scripts: the Lua scripts of the Redis store. Each touches the keys of one
 * hash tag only (Cluster-safe); the read-modify-write they do stays inside Redis, off the network.
 */
import { Script } from './connection.js';

/**
 * Adds spans to one trace and resolves parent/child links server-side, so that entry spans and
 * cross-service edges are known even when parent and child arrive in different exports.
 * KEYS: spans hash, skeleton hash, resources hash. ARGV: ttlSeconds, bucket, resource field count R,
 * R (digest, encoded resource) pairs, then per span 8 values:
 * spanId, encoded span, service, parentSpanId ('' = none), durationMs, isError ('0'|'1'), start, end (ns).
 * The skeleton's `svcs` field lists the trace's services (at most SERVICE_CAP).
 * Returns { start, end, deltas, services } where services is that list and deltas is a flat list of
 * 'n' svc err (a new span) · 'e' parentSvc childSvc err (an edge) ·
 * 'a' svc bucket spanId durationMs (an entry span) · 'r' svc bucket spanId (no longer an entry span).
 */
export const INGEST_TRACE = new Script(`
local spans, skel, res = KEYS[1], KEYS[2], KEYS[3]
local ttl, bucket, nres = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local WAIT_CAP, SERVICE_CAP = 1000, 256
if nres > 0 then
  for i = 4, 3 + nres * 2, 2 do redis.call('HSET', res, ARGV[i], ARGV[i + 1]) end
  redis.call('EXPIRE', res, ttl)
end
local sv = redis.call('HGET', skel, 'svcs')
local svcs = sv and cjson.decode(sv) or {}
local known, svcsChanged = {}, false
for _, name in ipairs(svcs) do known[name] = true end
local out = {}
local function push(...) for _, v in ipairs({...}) do out[#out + 1] = v end end
local function before(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
local first = redis.call('HGET', skel, 'start')
local last = redis.call('HGET', skel, 'end')
for i = 4 + nres * 2, #ARGV, 8 do
  local id, enc, svc, parent, dur, err, st, en =
    ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
  redis.call('HSET', spans, id, enc)
  if not known[svc] and #svcs < SERVICE_CAP then
    known[svc] = true
    svcs[#svcs + 1] = svc
    svcsChanged = true
  end
  if (not first) or before(st, first) then first = st end
  if (not last) or before(last, en) then last = en end
  if redis.call('HEXISTS', skel, 'k:' .. id) == 0 then
    push('n', svc, err)
    local entry = 1
    local p = false
    if parent ~= '' then p = redis.call('HGET', skel, 'k:' .. parent) end
    if p then
      local pv = cjson.decode(p)
      if pv[1] == svc then entry = 0 else push('e', pv[1], svc, err) end
    elseif parent ~= '' then
      local wk = 'w:' .. parent
      local w = redis.call('HGET', skel, wk)
      local list = w and cjson.decode(w) or {}
      if #list < WAIT_CAP then
        list[#list + 1] = id
        redis.call('HSET', skel, wk, cjson.encode(list))
      end
    end
    if entry == 1 then push('a', svc, bucket, id, dur) end
    redis.call('HSET', skel, 'k:' .. id, cjson.encode({svc, err, bucket, entry}))
    -- children stored before their parent: now their entry status and edges are known
    local wk = 'w:' .. id
    local w = redis.call('HGET', skel, wk)
    if w then
      redis.call('HDEL', skel, wk)
      for _, cid in ipairs(cjson.decode(w)) do
        local c = redis.call('HGET', skel, 'k:' .. cid)
        if c then
          local cv = cjson.decode(c)
          if cv[1] == svc then
            if cv[4] == 1 then
              push('r', cv[1], cv[3], cid)
              cv[4] = 0
              redis.call('HSET', skel, 'k:' .. cid, cjson.encode(cv))
            end
          else
            push('e', svc, cv[1], cv[2])
          end
        end
      end
    end
  end
end
redis.call('HSET', skel, 'start', first, 'end', last)
if svcsChanged then redis.call('HSET', skel, 'svcs', cjson.encode(svcs)) end
redis.call('EXPIRE', spans, ttl)
redis.call('EXPIRE', skel, ttl)
return {first, last, out, svcs}
`);

/**
 * Adds entry-span durations to one latency sample set, keeping at most `cap` members per key
 * (the first ones of the time bucket: a sample, exact below the cap).
 * KEYS: latency zset. ARGV: cap, expireAtSeconds, then (duration, member) pairs.
 */
export const ADD_LATENCY = new Script(`
local key, cap = KEYS[1], tonumber(ARGV[1])
local n = redis.call('ZCARD', key)
for i = 3, #ARGV, 2 do
  if n >= cap then break end
  n = n + redis.call('ZADD', key, ARGV[i], ARGV[i + 1])
end
redis.call('EXPIREAT', key, ARGV[2])
return n
`);

/**
 * Stores metric points of one metric name, refusing points of new series past the cap
 * (live series only count: an expired series frees its slot). Returns the number refused.
 * Accepted points are appended, as one chunk per call, to the points string of the current time
 * bucket: `,["<seriesId>",<nowMs>,<point JSON>]` each, so a read parses a few large values.
 * KEYS: registry, series, dropped, services, last, points bucket.
 * ARGV: ttlSeconds, nowMs, cutoffMs, cap, bucket expireAt (s), then per point 5 values:
 * seriesId, series JSON (may be '' after the series' first point of the call), service, timestamp, point JSON.
 */
export const WRITE_METRIC = new Script(`
local reg, ser, drop, svcs, last, pb = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local ttl, now, cutoff, cap, expireAt = tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local old = redis.call('ZRANGEBYSCORE', reg, '-inf', '(' .. cutoff, 'LIMIT', 0, 1000)
for _, sid in ipairs(old) do redis.call('HDEL', ser, sid); redis.call('ZREM', reg, sid) end
redis.call('ZREMRANGEBYSCORE', drop, '-inf', '(' .. cutoff)
redis.call('ZREMRANGEBYSCORE', svcs, '-inf', '(' .. cutoff)
local live = redis.call('ZCOUNT', reg, cutoff, '+inf')
local decided, seen = {}, {}
local pieces = {}
local rejected = 0
local lastTs = tonumber(redis.call('HGET', last, 'ts') or '')
local lastRecv = tonumber(redis.call('HGET', last, 'recv') or '0')
if lastRecv < tonumber(cutoff) then lastTs = nil end
local newTs, newJson = nil, nil
for i = 6, #ARGV, 5 do
  local sid, sjson, svc, ts, pjson = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local ok = decided[sid]
  if ok == nil then
    if redis.call('ZSCORE', reg, sid) then
      ok = true
    elseif live < cap then
      ok = true
      live = live + 1
      redis.call('HSET', ser, sid, sjson)
    else
      ok = false
      redis.call('ZADD', drop, now, sid)
    end
    if ok then redis.call('ZADD', reg, now, sid) end
    decided[sid] = ok
  end
  if ok then
    pieces[#pieces + 1] = ',["' .. sid .. '",' .. now .. ',' .. pjson .. ']'
    if not seen[svc] then
      seen[svc] = true
      redis.call('ZADD', svcs, now, svc)
    end
    local t = tonumber(ts)
    if (not lastTs) or t >= lastTs then
      lastTs = t
      newTs, newJson = ts, pjson
    end
  else
    rejected = rejected + 1
  end
end
if newTs then redis.call('HSET', last, 'ts', newTs, 'json', newJson, 'recv', now) end
if #pieces > 0 then
  redis.call('APPEND', pb, table.concat(pieces))
  redis.call('EXPIREAT', pb, expireAt)
end
for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ttl) end
return rejected
`);

/**
 * Drops index members whose data has expired (by last-write score), in bounded steps.
 * KEYS: tracesByWrite, tracesByStart, tracesByDuration, logsByWrite, logsByTime, metricNames,
 * traceServices, then one tracesOfService key per service of ARGV[2..].
 * ARGV: cutoffMs, then the service names of those keys. Returns the number of members removed.
 */
export const TRIM_INDEXES = new Script(`
local cutoff = '(' .. ARGV[1]
local removed = 0
local function zremAll(key, members)
  for i = 1, #members, 500 do
    redis.call('ZREM', key, unpack(members, i, math.min(i + 499, #members)))
  end
end
local function trim(byWrite, others)
  local old = redis.call('ZRANGEBYSCORE', byWrite, '-inf', cutoff, 'LIMIT', 0, 5000)
  if #old == 0 then return end
  for _, k in ipairs(others) do zremAll(k, old) end
  zremAll(byWrite, old)
  removed = removed + #old
end
local svcKeys = {KEYS[2], KEYS[3]}
for i = 2, #ARGV do
  local key = KEYS[6 + i]
  local last = redis.call('ZSCORE', KEYS[7], ARGV[i])
  if (not last) or tonumber(last) < tonumber(ARGV[1]) then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[7], ARGV[i])
  else
    svcKeys[#svcKeys + 1] = key
  end
end
trim(KEYS[1], svcKeys)
trim(KEYS[4], {KEYS[5]})
removed = removed + redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', cutoff)
return removed
`);
