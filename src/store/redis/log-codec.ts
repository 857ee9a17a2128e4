/**
 * @module store/redis/log-codec: the stored form of log records. A record read from protobuf is kept
 * as its own wire bytes beside its `[service, resource]` and scope (version 2: no attribute is decoded
 * or re-encoded on the way in; reads decode them under the ingest limits); other records as their
 * JSON (version 1). Both follow the `<receivedMs>|` prefix of codec.ts.
 */
import { createHash } from 'node:crypto';
import type { Attributes, LogRecord } from '../../model/model.js';
import type { WireReadOptions } from '../../wire/read-options.js';
import { logFromWire, WireLog } from '../../wire/wire-log.js';
import { encodeValue } from './codec.js';
import { scopeExtrasSuffix, storedResource, storedScope, type ResourceTable, type ScopeExtras } from './span-codec.js';
import { applyKindsTree, kindsTree, type KindsTree } from '../../model/value-kinds.js';
import { extrasOf, packExtras, setExtras, storedExtras, type PackedExtras } from '../../model/otlp-extras.js';

/**
 * Stored form of a record kept as its wire bytes: [2, [service, resource], scope name, scope version, base64
 * LogRecord, id, scope extras?]; values written before records were stored under their content id have
 * no id (the field is it).
 */
type StoredWireLog = [2, [string, Attributes], string, string, string, string?, ScopeExtras?];

/** Stored form of a record from OTLP/JSON (version 1): the record, plus what its values hide and its extras when it has some. */
type StoredJsonLog = LogRecord & { kinds?: KindsTree; x?: PackedExtras };

/**
 * The id a record is stored under in Redis: a digest of its content (resource, scope and the record's
 * own bytes or JSON, not the id ingest gave it), so that a retried export names the same records and
 * the write that follows finds them already stored (one copy, whatever the first attempt left behind).
 */
export function logContentId(log: LogRecord, resources: ResourceTable): string {
  const h = createHash('sha1');
  if (log instanceof WireLog) {
    const [digest] = resources.entryOf(log.service, log.resource);
    h.update(digest).update('\0').update(log.scope.name).update('\0').update(log.scope.version).update('\0').update(log.wireBytes());
  } else {
    h.update(JSON.stringify({ ...log, id: '' }));
  }
  return h.digest('base64url').slice(0, 22);
}

/**
 * The stored value of one record received at `receivedMs`; resources are encoded once per batch by
 * `resources`. A wire-backed record carries its id as a sixth element (it is stored under its content id).
 */
export function encodeLog(log: LogRecord, receivedMs: number, resources: ResourceTable): string {
  if (log instanceof WireLog) {
    const [, resourceJson] = resources.entryOf(log.service, log.resource);
    // As JSON.stringify of the StoredWireLog array would write it, with the resource's JSON made once per
    // batch and the base64 not scanned for characters to escape (it has none).
    return receivedMs + '|[2,' + resourceJson + ',' + JSON.stringify(log.scope.name) + ',' + JSON.stringify(log.scope.version)
      + ',"' + log.wireBytes().toString('base64') + '",' + JSON.stringify(log.id) + scopeExtrasSuffix(log.scope) + ']';
  }
  // A record from OTLP/JSON: its JSON, with the kinds its values hide and the OTLP fields the model
  // leaves out (`x`, model/otlp-extras.ts) when normalise noted any.
  const kinds = kindsTree(log);
  const x = extrasOf(log);
  if (kinds === undefined && x === undefined) return encodeValue(log, receivedMs);
  const stored: StoredJsonLog = { ...log };
  if (kinds !== undefined) stored.kinds = kinds;
  if (x !== undefined) stored.x = packExtras(x);
  return encodeValue(stored, receivedMs);
}

/** The record stored under field `id` from its decoded value (either version); undefined when malformed. */
export function decodeLog(id: string, value: unknown, o: WireReadOptions): LogRecord | undefined {
  if (Array.isArray(value)) {
    const v = value as StoredWireLog;
    if (v[0] !== 2 || (v.length < 5 || v.length > 7) || !Array.isArray(v[1]) || typeof v[1][0] !== 'string' || typeof v[4] !== 'string') return undefined;
    const res = storedResource(v[1]);
    const resource = res ? res[1] : {};
    return logFromWire(Buffer.from(v[4], 'base64'), typeof v[5] === 'string' ? v[5] : id, v[1][0], resource, storedScope(v[2], v[3], v[6]), o);
  }
  if (value && typeof value === 'object' && typeof (value as LogRecord).id === 'string') {
    const { kinds, x, ...log } = value as StoredJsonLog;
    if (kinds !== undefined) applyKindsTree(log, kinds);
    const extras = storedExtras(x);
    if (extras !== undefined) setExtras(log, extras);
    return log;
  }
  return undefined;
}
