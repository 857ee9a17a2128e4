/**
 * @module store/redis/scripts: the Lua scripts of the Redis store. Each touches the keys of one
 * hash tag only (Cluster-safe); the read-modify-write they do stays inside Redis, off the network.
 */
import { Script } from './connection.js';

/**
 * Adds spans to traces and resolves parent/child links server-side, so that entry spans,
 * cross-service edges and unanswered client calls are known even when parent and child arrive in
 * different exports. Several traces per call when their keys share a node (all in one slot under Cluster).
 * KEYS: per trace its spans hash, skeleton hash and resources hash. ARGV: ttlSeconds, bucket, maxSpansPerTrace, then per
 * trace: resource field count R, span count N, R (digest, encoded resource) pairs, then per span 9 values:
 * spanId, encoded span, service, parentSpanId ('' = none), durationMs, isError ('0'|'1'), start, end (ns),
 * flags: '1' if the span is a peer call (query/services peerOf) then '1' if it is a SERVER/CONSUMER span ('00'..'11').
 * The skeleton's `svcs` field lists the trace's services (at most SERVICE_CAP).
 * A span new to a trace already holding maxSpansPerTrace spans is not stored; the skeleton's `dropped` field counts them.
 * Returns per trace { start, end, deltas, services, dropped } where services is that list and deltas is a flat list of
 * 'n' svc newSpans newErrors (per service) · 'e' parentSvc childSvc err childSpanId childDurationMs (an edge) ·
 * 'a' svc bucket spanId durationMs (an entry span) · 'r' svc bucket spanId err (no longer an entry span) ·
 * 'p' spanId (a peer call, not answered yet) · 'q' bucket spanId (a peer call of that bucket, now answered).
 */
export const INGEST_TRACES = new Script(`
local ttl, bucket, cap = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
-- children waiting for their parent: as many as a trace may hold (maxSpansPerTrace), so none goes uncounted
local WAIT_CAP, SERVICE_CAP, CHUNK, STRIDE = cap, 256, 2000, 9
local function before(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
-- skeleton entry of a span: '#', entry flag, error flag, pending-peer-call flag, answers-calls (server) flag,
-- bucket '|' durationMs '|' service. Older values: entry, error, bucket '|' service; or a cjson array.
local function encodeK(svc, err, b, entry, peer, srv, dur)
  return '#' .. entry .. err .. peer .. srv .. b .. '|' .. dur .. '|' .. svc
end
local function decodeK(v)
  local c = string.sub(v, 1, 1)
  if c == '#' then
    local bar = string.find(v, '|', 6, true)
    local bar2 = string.find(v, '|', bar + 1, true)
    return string.sub(v, bar2 + 1), string.sub(v, 3, 3), string.sub(v, 6, bar - 1), string.sub(v, 2, 2),
      string.sub(v, 4, 4), string.sub(v, 5, 5), string.sub(v, bar + 1, bar2 - 1)
  end
  if c == '[' then
    local t = cjson.decode(v)
    return t[1], t[2], t[3], tostring(t[4]), '0', '0', '0'
  end
  local bar = string.find(v, '|', 3, true)
  return string.sub(v, bar + 1), string.sub(v, 2, 2), string.sub(v, 3, bar - 1), string.sub(v, 1, 1), '0', '0', '0'
end
local function hsetAll(key, flat)
  for i = 1, #flat, CHUNK do redis.call('HSET', key, unpack(flat, i, math.min(i + CHUNK - 1, #flat))) end
end
local function ingest(spans, skel, res, at)
  local nres, nspans = tonumber(ARGV[at]), tonumber(ARGV[at + 1])
  if nres > 0 then
    for i = at + 2, at + 1 + nres * 2, 2 do redis.call('HSET', res, ARGV[i], ARGV[i + 1]) end
    redis.call('EXPIRE', res, ttl)
  end
  local from = at + 2 + nres * 2
  local upto = from + nspans * STRIDE - 1
  -- one read of every skeleton field this batch needs; later reads and writes go through cur
  local want = {'svcs', 'start', 'end'}
  for i = from, upto, STRIDE do
    want[#want + 1] = 'k:' .. ARGV[i]
    want[#want + 1] = 'w:' .. ARGV[i]
    if ARGV[i + 3] ~= '' then want[#want + 1] = 'k:' .. ARGV[i + 3] end
  end
  local cur, dirty = {}, {}
  for i = 1, #want, CHUNK do
    local part = {unpack(want, i, math.min(i + CHUNK - 1, #want))}
    local got = redis.call('HMGET', skel, unpack(part))
    for j, f in ipairs(part) do cur[f] = got[j] or false end
  end
  local function get(f)
    local v = cur[f]
    if v == nil then
      v = redis.call('HGET', skel, f) or false
      cur[f] = v
    end
    return v
  end
  local function set(f, v) cur[f] = v; dirty[f] = true end
  local sv = cur['svcs']
  local svcs = sv and cjson.decode(sv) or {}
  local known, svcsChanged = {}, false
  for _, name in ipairs(svcs) do known[name] = true end
  local out = {}
  local function push(...) for _, v in ipairs({...}) do out[#out + 1] = v end end
  local first = cur['start'] or nil
  local last = cur['end'] or nil
  local spanFields = {}
  local counts, countOrder = {}, {}
  local held, dropped = redis.call('HLEN', spans), 0
  for i = from, upto, STRIDE do
    local id, enc, svc, parent, dur, err, st, en, flags =
      ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
    local peer, srv = string.sub(flags, 1, 1), string.sub(flags, 2, 2)
    local isNew = not get('k:' .. id)
    if isNew and held >= cap then
      dropped = dropped + 1
    else
    if isNew then held = held + 1 end
    spanFields[#spanFields + 1] = id
    spanFields[#spanFields + 1] = enc
    if not known[svc] and #svcs < SERVICE_CAP then
      known[svc] = true
      svcs[#svcs + 1] = svc
      svcsChanged = true
    end
    if (not first) or before(st, first) then first = st end
    if (not last) or before(last, en) then last = en end
    if not get('k:' .. id) then
      local c = counts[svc]
      if not c then
        c = {0, 0}
        counts[svc] = c
        countOrder[#countOrder + 1] = svc
      end
      c[1] = c[1] + 1
      if err == '1' then c[2] = c[2] + 1 end
      local entry = '1'
      local p = false
      if parent ~= '' then p = get('k:' .. parent) end
      if p then
        local psvc, perr, pbucket, pentry, ppeer, psrv, pdur = decodeK(p)
        if psvc == svc then entry = '0' else push('e', psvc, svc, err, id, dur) end
        -- this span answers its parent's call: the parent is no longer a call to an uninstrumented peer
        if ppeer == '1' and (psvc ~= svc or srv == '1') then
          push('q', pbucket, parent)
          set('k:' .. parent, encodeK(psvc, perr, pbucket, pentry, '0', psrv, pdur))
        end
      elseif parent ~= '' then
        local wk = 'w:' .. parent
        local w = get(wk)
        local list = w and cjson.decode(w) or {}
        if #list < WAIT_CAP then
          list[#list + 1] = id
          set(wk, cjson.encode(list))
        end
      end
      if entry == '1' then push('a', svc, bucket, id, dur) end
      -- children stored before their parent: now their entry status and edges are known
      local wk = 'w:' .. id
      local w = get(wk)
      if w then
        set(wk, false)
        for _, cid in ipairs(cjson.decode(w)) do
          local c = get('k:' .. cid)
          if c then
            local csvc, cerr, cbucket, centry, cpeer, csrv, cdur = decodeK(c)
            if csvc ~= svc or csrv == '1' then peer = '0' end
            if csvc == svc then
              if centry == '1' then
                push('r', csvc, cbucket, cid, cerr)
                set('k:' .. cid, encodeK(csvc, cerr, cbucket, '0', cpeer, csrv, cdur))
              end
            else
              push('e', svc, csvc, cerr, cid, cdur)
            end
          end
        end
      end
      if peer == '1' then push('p', id) end
      set('k:' .. id, encodeK(svc, err, bucket, entry, peer, srv, dur))
    end
    end
  end
  if dropped > 0 then redis.call('HINCRBY', skel, 'dropped', dropped) end
  for _, name in ipairs(countOrder) do push('n', name, counts[name][1], counts[name][2]) end
  hsetAll(spans, spanFields)
  local writes, deletes = {'start', first, 'end', last}, {}
  if svcsChanged then writes[#writes + 1] = 'svcs'; writes[#writes + 1] = cjson.encode(svcs) end
  for f in pairs(dirty) do
    local v = cur[f]
    if v then writes[#writes + 1] = f; writes[#writes + 1] = v else deletes[#deletes + 1] = f end
  end
  hsetAll(skel, writes)
  for i = 1, #deletes, CHUNK do redis.call('HDEL', skel, unpack(deletes, i, math.min(i + CHUNK - 1, #deletes))) end
  redis.call('EXPIRE', spans, ttl)
  redis.call('EXPIRE', skel, ttl)
  return {first, last, out, svcs, dropped}, upto + 1
end
local results = {}
local at = 4
for t = 1, #KEYS, 3 do
  local r
  r, at = ingest(KEYS[t], KEYS[t + 1], KEYS[t + 2], at)
  results[#results + 1] = r
end
return results
`);

/**
 * Sets hash fields while the hash holds fewer than `cap` fields (a sample: the first ones of the
 * time bucket, exact below the cap), then sets the key's expiry.
 * KEYS: the hash. ARGV: cap, expireAtSeconds, then (field, value) pairs. Returns the field count.
 */
export const HSET_CAPPED = new Script(`
local key, cap = KEYS[1], tonumber(ARGV[1])
local n = redis.call('HLEN', key)
for i = 3, #ARGV, 2 do
  if n >= cap then break end
  n = n + redis.call('HSET', key, ARGV[i], ARGV[i + 1])
end
redis.call('EXPIREAT', key, ARGV[2])
return n
`);

/**
 * Claims log records by their content id (log-codec logContentId) and indexes the new ones, in one
 * atomic step: a record already claimed (a retried export, whatever its first attempt left behind) keeps
 * its bucket and is neither indexed nor counted again. Returns per record the bucket its data belongs in;
 * the caller then writes the data there (an idempotent HSET).
 * KEYS: claims, logsByTime, logsByWrite, counters of bucket k. ARGV: ttlSeconds, nowMs, k, oldest live
 * bucket, counters expireAt (s), then per record 3 values: id, timestamp (s), the service's counter field.
 */
export const CLAIM_LOGS = new Script(`
local claims, byTime, byWrite, counters = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local ttl, now, k, oldest, expireAt = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4], ARGV[5]
redis.call('ZREMRANGEBYSCORE', claims, '-inf', '(' .. oldest)
local out, fresh, perService = {}, 0, {}
for i = 6, #ARGV, 3 do
  local id, ts, field = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local at = redis.call('ZSCORE', claims, id)
  if at then
    out[#out + 1] = at
  else
    redis.call('ZADD', claims, k, id)
    local member = k .. ':' .. id
    redis.call('ZADD', byTime, ts, member)
    redis.call('ZADD', byWrite, now, member)
    fresh = fresh + 1
    perService[field] = (perService[field] or 0) + 1
    out[#out + 1] = k
  end
end
if fresh > 0 then
  redis.call('HINCRBY', counters, 'logs', fresh)
  for field, n in pairs(perService) do redis.call('HINCRBY', counters, field, n) end
  redis.call('EXPIREAT', counters, expireAt)
  redis.call('EXPIRE', byTime, ttl)
  redis.call('EXPIRE', byWrite, ttl)
end
redis.call('EXPIRE', claims, ttl)
return out
`);

/**
 * Stores metric points of one metric name, refusing points of new series past the cap
 * (live series only count: an expired series frees its slot). Returns the number refused.
 * Accepted points are appended, as one chunk per call, to the points string of the current time
 * bucket: `,[<nowMs>,"<seriesId>",<point JSON>,"<seriesId>",<point JSON>…]`, so a read parses a few large values.
 * A point whose (seriesId, point JSON) was stored before (a retried export) is skipped: the claims ZSET keeps their digests for the TTL.
 * KEYS: registry, series, dropped, services, last, points bucket, point claims.
 * ARGV: ttlSeconds, nowMs, cutoffMs, cap, bucket expireAt (s), oldest live bucket, bucket, then per point 5 values:
 * seriesId, series JSON (may be '' after the series' first point of the call), service, timestamp, point JSON.
 */
export const WRITE_METRIC = new Script(`
local reg, ser, drop, svcs, last, pb, claims = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local ttl, now, cutoff, cap, expireAt = tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local oldest, bucket = ARGV[6], ARGV[7]
-- point claims: digest -> the bucket its point was appended to (the points string of that bucket shares pb's prefix)
local pbBase = string.sub(pb, 1, #pb - #bucket)
redis.call('ZREMRANGEBYSCORE', claims, '-inf', '(' .. oldest)
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
for i = 8, #ARGV, 5 do
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
  -- a point already stored (same series, same content: a retried export) is not added again
  if ok then
    local claim = redis.sha1hex(sid .. pjson)
    local at = redis.call('ZSCORE', claims, claim)
    -- a claim whose points string was evicted (allkeys-lru) does not hold the point any more
    if at and redis.call('EXISTS', pbBase .. at) == 1 then ok = 'dup' else redis.call('ZADD', claims, bucket, claim) end
  end
  if ok == 'dup' then
    -- stored by an earlier attempt: neither added nor refused
  elseif ok then
    pieces[#pieces + 1] = ',"' .. sid .. '",' .. pjson
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
  redis.call('APPEND', pb, ',[' .. now .. table.concat(pieces) .. ']')
  redis.call('EXPIREAT', pb, expireAt)
end
for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ttl) end
redis.call('EXPIRE', claims, ttl)
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
