/**
 * @module inspect/hints: the one-line fix for a request TinyOlly can tell went wrong (CONTRACT §8),
 * in the user's terms: the SDK's env vars, the Collector exporter's YAML, TinyOlly's own setting.
 * Pure: it reads what the receiver already knows (path, status, headers, the first bytes of the body,
 * the signal the body holds).
 */
import { jsonSignalOf } from './sniff.js';

export interface HintInput {
  transport: 'http' | 'grpc';
  path: string;
  /** HTTP status, or the gRPC code name. */
  status: number | string;
  signal: 'traces' | 'logs' | 'metrics' | null;
  contentType?: string;
  contentEncoding?: string;
  /** The first bytes of the body as sent (before inflating), when read. */
  head?: Buffer;
  /** The message returned (error or partial_success). */
  reason: string | null;
  /** Whether an x-otlp-api-key was sent. */
  apiKeySent?: boolean;
  /** The signal the body holds (inspect/sniff.ts), when the receiver read it: a refused request's. */
  sentSignal?: 'traces' | 'logs' | 'metrics';
  /** What the §6 limits cut or dropped in the accepted items (ExportResult.limited). */
  limited?: { values: number; attributes: number; items: number };
  /** Items accepted and rejected (for the per-request item limit). */
  accepted?: number;
  rejected?: number;
}

const SIGNAL_PATH = /^\/v1\/(traces|logs|metrics)$/;
const GRPC_PATH = /^\/opentelemetry\.proto\.collector\.(trace|logs|metrics)\.v1\.\w+Service\/Export$/;

const ENDPOINT_FIX = 'set OTEL_EXPORTER_OTLP_ENDPOINT to the base URL (http://localhost:4318, the SDK appends /v1/traces), ' +
  'or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT to the full URL ending in /v1/traces once; Collector otlphttp exporter: `endpoint: http://localhost:4318`';

function looksLikeJson(head: Buffer): boolean {
  for (const b of head) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x7b || b === 0x5b; // { or [
  }
  return false;
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The hint for one request, or null when nothing is recognisably wrong. */
export function hintFor(r: HintInput): string | null {
  const head = r.head ?? Buffer.alloc(0);
  if (r.transport === 'http') {
    if (r.path.startsWith('PRI ') || r.path === '*' || GRPC_PATH.test(r.path)) {
      return 'This is OTLP/gRPC sent to the OTLP/HTTP port: send gRPC to port 4317, or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf ' +
        '(Collector: use the otlphttp exporter with `endpoint: http://localhost:4318`, or the otlp exporter with `endpoint: localhost:4317`)';
    }
    if (r.status === 404 && !SIGNAL_PATH.test(r.path)) {
      if (/\/v1\/(traces|logs|metrics)\/.*v1\//.test(r.path) || /(\/v1\/(traces|logs|metrics)).*\1/.test(r.path)) {
        return `The signal path is in the URL twice (${r.path.slice(0, 80)}): ${ENDPOINT_FIX}`;
      }
      const singular = /\/v1\/(trace|log|metric|span|spans)$/.exec(r.path);
      if (singular) {
        const want = singular[1].startsWith('span') || singular[1] === 'trace' ? 'traces' : `${singular[1]}s`;
        return `The path is ${r.path}; OTLP/HTTP paths are /v1/traces, /v1/logs and /v1/metrics: use /v1/${want} (OTEL_EXPORTER_OTLP_${want.toUpperCase()}_ENDPOINT)`;
      }
      return `OTLP/HTTP accepts POST /v1/traces, /v1/logs and /v1/metrics, not ${r.path.slice(0, 80)}: ${ENDPOINT_FIX}`;
    }
    if (r.status === 401) {
      return r.apiKeySent
        ? 'The x-otlp-api-key sent does not match TINYOLLY_OTLP_API_KEY: fix OTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=<key> (Collector: `headers: {x-otlp-api-key: <key>}`)'
        : 'No API key was sent: set OTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=<key> (Collector exporter: `headers: {x-otlp-api-key: <key>}`), the key being TINYOLLY_OTLP_API_KEY';
    }
    if (r.status === 413) {
      return 'The body is over TINYOLLY_MAX_REQUEST_MB: export smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE; Collector: batch processor `send_batch_max_size`) or raise TINYOLLY_MAX_REQUEST_MB';
    }
    if (r.status === 415) {
      return 'Content-Type must be application/x-protobuf or application/json: set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf or http/json' +
        (r.contentEncoding ? '; Content-Encoding may be gzip, deflate or identity (OTEL_EXPORTER_OTLP_COMPRESSION=gzip|none)' : '');
    }
    if (r.status === 400 || r.status === 200) {
      const encoding = (r.contentType ?? '').toLowerCase().includes('json') ? 'json' : 'protobuf';
      const compressed = (r.contentEncoding ?? '').trim() !== '' && r.contentEncoding?.toLowerCase() !== 'identity';
      if (r.status === 400 && !compressed && isGzip(head)) {
        return 'The body is gzip but the request has no Content-Encoding: gzip header: send the header with the compressed body (OTEL_EXPORTER_OTLP_COMPRESSION=gzip sets both), or send it uncompressed';
      }
      if (r.status === 400 && encoding === 'protobuf' && !compressed && looksLikeJson(head)) {
        return 'The body is JSON but Content-Type says protobuf: set OTEL_EXPORTER_OTLP_PROTOCOL=http/json, or send Content-Type: application/json';
      }
      if (r.status === 400 && encoding === 'json' && !compressed && head.length > 0 && !looksLikeJson(head)) {
        return 'The body is not JSON (protobuf?) but Content-Type says application/json: set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, or send Content-Type: application/x-protobuf';
      }
      const sent = r.sentSignal ?? (encoding === 'json' && !compressed ? jsonSignalOf(head) : undefined);
      if (sent && r.signal && sent !== r.signal) {
        return `This is a ${sent} request sent to /v1/${r.signal}: send it to /v1/${sent} (OTEL_EXPORTER_OTLP_${sent.toUpperCase()}_ENDPOINT must end in /v1/${sent}; Collector: \`${sent}_endpoint\`)`;
      }
    }
  }
  if (r.transport === 'grpc' && r.status === 'UNAUTHENTICATED') {
    return r.apiKeySent
      ? 'The x-otlp-api-key sent does not match TINYOLLY_OTLP_API_KEY: fix OTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=<key> (Collector: `headers: {x-otlp-api-key: <key>}`)'
      : 'No API key was sent: set OTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=<key> (Collector exporter: `headers: {x-otlp-api-key: <key>}`), the key being TINYOLLY_OTLP_API_KEY';
  }
  if (r.reason) {
    const other = reasonHint({ ...r, reason: r.reason });
    if (other) return other;
  }
  return r.limited ? limitedHint(r.limited) : null;
}

/** "3 string values cut …": what a request lost to the §6 limits, and the settings on both sides. */
function limitedHint(l: { values: number; attributes: number; items: number }): string {
  const parts: string[] = [];
  const fix: string[] = [];
  if (l.values) {
    parts.push(`${l.values} string value${l.values === 1 ? '' : 's'} cut at TINYOLLY_MAX_ATTRIBUTE_LENGTH (ending in …)`);
    fix.push('raise TINYOLLY_MAX_ATTRIBUTE_LENGTH, or cut them in the SDK: OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT (Collector: a transform processor with truncate_all)');
  }
  if (l.attributes) {
    parts.push(`${l.attributes} attribute${l.attributes === 1 ? '' : 's'} dropped past TINYOLLY_MAX_ATTRIBUTES`);
    fix.push('raise TINYOLLY_MAX_ATTRIBUTES, or send fewer: OTEL_ATTRIBUTE_COUNT_LIMIT / OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT');
  }
  if (l.items) {
    parts.push(`${l.items} span event${l.items === 1 ? '' : 's'} or link${l.items === 1 ? '' : 's'} dropped past TINYOLLY_MAX_EVENTS_PER_SPAN / TINYOLLY_MAX_LINKS_PER_SPAN`);
    fix.push('raise those, or OTEL_SPAN_EVENT_COUNT_LIMIT / OTEL_SPAN_LINK_COUNT_LIMIT in the SDK');
  }
  return `Accepted, but ${parts.join('; ')}: ${fix.join('; ')}`;
}

/** The hint a refusal's message gives (limits that refuse items), or null. */
function reasonHint(r: HintInput & { reason: string }): string | null {
  if (r.reason.includes('series limit per metric')) {
    return 'Points were refused: a metric reached TINYOLLY_MAX_SERIES_PER_METRIC series (a label with unbounded values, such as an id?): drop the label with a View, or raise TINYOLLY_MAX_SERIES_PER_METRIC';
  }
  const items = /a request at most (\d+)/.exec(r.reason);
  // The message names the item limit whatever the cause: it is the cause only when the request held more.
  if (items && (r.accepted === undefined || (r.accepted + (r.rejected ?? 0)) > Number(items[1]))) return `A request holds at most ${items[1]} items (TINYOLLY_MAX_ITEMS_PER_REQUEST): export smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE; Collector: batch processor \`send_batch_max_size\`) or raise it`;
  if (r.transport === 'grpc' && r.status === 'RESOURCE_EXHAUSTED' && /larger than max|inflates to more/.test(r.reason)) {
    return 'The message is over TINYOLLY_MAX_REQUEST_MB: export smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE; Collector: batch processor `send_batch_max_size`) or raise TINYOLLY_MAX_REQUEST_MB';
  }
  return null;
}
