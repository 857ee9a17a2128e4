/**
 * @module config: the Config type, its defaults, and loadConfig(argv, env) (CONTRACT §1.2, §6).
 * Pure: main.ts passes process.argv/env in. Invalid values throw ConfigError at start-up.
 */
import { parseArgs } from 'node:util';

export interface Config {
  host: string;
  grpcPort: number;
  httpPort: number;
  uiPort: number;
  storage: 'memory' | 'redis';
  redisUrl?: string;
  redisCluster: boolean;
  keyPrefix: string;
  ttlSeconds: number;
  maxMemoryMb: number;
  maxRequestMb: number;
  maxAttributes: number;
  maxAttributeLength: number;
  maxSeriesPerMetric: number;
  maxEventsPerSpan: number;
  maxLinksPerSpan: number;
  maxItemsPerRequest: number;
  maxAttributeDepth: number;
  maxInFlightExports: number;
  /** POST /api/import body limit (MiB), compressed and inflated. */
  maxImportMb: number;
  maxBucketsPerPoint: number;
  /** Request bytes held at once across every OTLP listener (MiB): bodies being received, then inflated. */
  maxInFlightMb: number;
  /** An OTLP/HTTP body not fully received this long after its headers is cut with 408. */
  requestTimeoutSeconds: number;
  /** Connections open at once per listener. */
  maxConnections: number;
  /** Spans kept per trace; further spans of that trace are rejected (partial_success). */
  maxSpansPerTrace: number;
  /** Request records the ingest inspector keeps (CONTRACT §8). */
  inspectorRequests: number;
  otlpApiKey?: string;
  uiToken?: string;
  corsOrigins?: string[];
  /** Host names the UI and /api/* answer to besides loopback and `host` (DNS-rebinding guard). */
  allowedHosts?: string[];
}

export const DEFAULT_CONFIG: Config = {
  // Loopback, as the Collector's own default (CONTRACT §1); the container image sets 0.0.0.0.
  host: '127.0.0.1',
  grpcPort: 4317,
  httpPort: 4318,
  uiPort: 5002,
  storage: 'memory',
  redisCluster: false,
  keyPrefix: 'tinyolly:',
  ttlSeconds: 600,
  maxMemoryMb: 256,
  maxRequestMb: 16,
  maxAttributes: 128,
  maxAttributeLength: 4096,
  maxSeriesPerMetric: 1000,
  maxEventsPerSpan: 128,
  maxLinksPerSpan: 128,
  maxItemsPerRequest: 100_000,
  maxAttributeDepth: 16,
  maxInFlightExports: 64,
  maxImportMb: 1024,
  maxBucketsPerPoint: 1024,
  maxInFlightMb: 128,
  requestTimeoutSeconds: 30,
  maxConnections: 1024,
  maxSpansPerTrace: 10_000,
  inspectorRequests: 1000,
};

export class ConfigError extends Error {}

export const HELP = `Usage: tinyolly [options]

A desktop OpenTelemetry backend: OTLP/gRPC on 4317, OTLP/HTTP on 4318, UI and API on 5002.

Options (each overrides the environment variable named beside it):
  --grpc-port N      OTLP/gRPC port                  TINYOLLY_GRPC_PORT   (4317; 0 = any free port)
  --http-port N      OTLP/HTTP port                  TINYOLLY_HTTP_PORT   (4318)
  --ui-port N        web UI, query API and /v1/*     TINYOLLY_UI_PORT     (5002)
  --host ADDR        bind address for all three      TINYOLLY_HOST        (127.0.0.1)
  --storage KIND     memory | redis                  TINYOLLY_STORAGE     (redis if REDIS_URL is set)
  --redis-url URL    e.g. redis://127.0.0.1:6379/0   REDIS_URL
  --ttl SECONDS      retention of every item         TINYOLLY_TTL_SECONDS (600)
  -h, --help         print this help

Other environment variables:
  TINYOLLY_MAX_MEMORY_MB (256)  TINYOLLY_KEY_PREFIX (tinyolly:)  TINYOLLY_REDIS_CLUSTER (0)
  TINYOLLY_MAX_REQUEST_MB (16)  TINYOLLY_MAX_ATTRIBUTES (128)  TINYOLLY_MAX_ATTRIBUTE_LENGTH (4096)
  TINYOLLY_MAX_SERIES_PER_METRIC (1000)  TINYOLLY_MAX_EVENTS_PER_SPAN (128)  TINYOLLY_MAX_LINKS_PER_SPAN (128)
  TINYOLLY_MAX_ITEMS_PER_REQUEST (100000)  TINYOLLY_MAX_ATTRIBUTE_DEPTH (16)  TINYOLLY_MAX_INFLIGHT_EXPORTS (64)
  TINYOLLY_MAX_IMPORT_MB (1024)
  TINYOLLY_OTLP_API_KEY  TINYOLLY_UI_TOKEN  TINYOLLY_CORS_ORIGINS  TINYOLLY_ALLOWED_HOSTS
  TINYOLLY_MAX_BUCKETS_PER_POINT (1024)  TINYOLLY_MAX_SPANS_PER_TRACE (10000)
  TINYOLLY_MAX_INFLIGHT_MB (128)  TINYOLLY_REQUEST_TIMEOUT_SECONDS (30)  TINYOLLY_MAX_CONNECTIONS (1024)
  TINYOLLY_INSPECTOR_REQUESTS (1000)
`;

/** CLI flag (without `--`) → the environment variable it overrides. */
const FLAGS: Record<string, string> = {
  'grpc-port': 'TINYOLLY_GRPC_PORT',
  'http-port': 'TINYOLLY_HTTP_PORT',
  'ui-port': 'TINYOLLY_UI_PORT',
  host: 'TINYOLLY_HOST',
  storage: 'TINYOLLY_STORAGE',
  'redis-url': 'REDIS_URL',
  ttl: 'TINYOLLY_TTL_SECONDS',
};

/**
 * The flags as env var overrides, through node:util parseArgs in strict mode: an unknown flag, a
 * positional argument, or a flag without its value (`--host --ttl 5` would otherwise read host
 * "--ttl") is a ConfigError. A value that starts with `-` is given as `--flag=-value`.
 */
function flagOverrides(argv: readonly string[]): Record<string, string> {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'string' as const }])),
    }));
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new ConfigError(`${first} (see --help)`);
  }
  const out: Record<string, string> = {};
  for (const [flag, value] of Object.entries(values)) {
    if (typeof value !== 'string') continue;
    if (value === '') throw new ConfigError(`option --${flag} needs a value (see --help)`);
    out[FLAGS[flag]] = value;
  }
  return out;
}

/** TINYOLLY_REDIS_CLUSTER: 1/true or 0/false (unset or empty is off); anything else is refused. */
function redisClusterOf(raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`TINYOLLY_REDIS_CLUSTER must be 1, true, 0 or false, got "${raw}"`);
}

/**
 * TINYOLLY_KEY_PREFIX: non-empty (an empty prefix would make DELETE /api/data remove every key of the
 * Redis database) and without `{` or `}`: every key is the prefix followed by `{`, which is what keeps
 * one instance's keys apart from those of an instance whose prefix merely starts with this one's.
 */
function keyPrefixOf(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_CONFIG.keyPrefix;
  if (raw === '') throw new ConfigError('TINYOLLY_KEY_PREFIX must not be empty: DELETE /api/data would remove every key of the Redis database (unset it for the default "tinyolly:")');
  if (/[{}]/.test(raw)) throw new ConfigError(`TINYOLLY_KEY_PREFIX must not contain "{" or "}", got "${raw}"`);
  return raw;
}

/** Whether an address is loopback (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/** The stderr warning for a start on a non-loopback address with neither key nor token set (CONTRACT §6), else undefined. */
export function exposureWarning(config: Pick<Config, 'host' | 'otlpApiKey' | 'uiToken'>): string | undefined {
  if (isLoopbackHost(config.host) || config.otlpApiKey || config.uiToken) return undefined;
  return `WARNING: TinyOlly listens on ${config.host} with neither TINYOLLY_OTLP_API_KEY nor TINYOLLY_UI_TOKEN set: ` +
    'anyone who can reach this machine can send telemetry and read it. Set them, or bind with TINYOLLY_HOST=127.0.0.1.';
}

/** Whether the arguments ask for help. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

function int(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Digits only: Number() alone would take "0x1F", "1e3" or " " as integers.
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer in ${min}..${max}, got "${raw}"`);
  return n;
}

/**
 * Builds the Config from CLI arguments (without node and script) and the environment.
 * Flags win over env vars. Throws ConfigError on unknown flags or invalid values.
 */
export function loadConfig(argv: readonly string[], envIn: Record<string, string | undefined>): Config {
  const env = { ...envIn, ...flagOverrides(argv) };
  const redisUrl = env.REDIS_URL || undefined;
  const storageRaw = env.TINYOLLY_STORAGE || (redisUrl ? 'redis' : 'memory');
  if (storageRaw !== 'memory' && storageRaw !== 'redis') throw new ConfigError(`TINYOLLY_STORAGE must be memory or redis, got "${storageRaw}"`);
  const cors = env.TINYOLLY_CORS_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    host: env.TINYOLLY_HOST || DEFAULT_CONFIG.host,
    grpcPort: int(env, 'TINYOLLY_GRPC_PORT', DEFAULT_CONFIG.grpcPort, 0, 65535),
    httpPort: int(env, 'TINYOLLY_HTTP_PORT', DEFAULT_CONFIG.httpPort, 0, 65535),
    uiPort: int(env, 'TINYOLLY_UI_PORT', DEFAULT_CONFIG.uiPort, 0, 65535),
    storage: storageRaw,
    redisUrl: redisUrl ?? (storageRaw === 'redis' ? 'redis://127.0.0.1:6379' : undefined),
    redisCluster: redisClusterOf(env.TINYOLLY_REDIS_CLUSTER),
    keyPrefix: keyPrefixOf(env.TINYOLLY_KEY_PREFIX),
    ttlSeconds: int(env, 'TINYOLLY_TTL_SECONDS', DEFAULT_CONFIG.ttlSeconds, 1, 10 * 365 * 86400),
    maxMemoryMb: int(env, 'TINYOLLY_MAX_MEMORY_MB', DEFAULT_CONFIG.maxMemoryMb, 1, 1 << 20),
    maxRequestMb: int(env, 'TINYOLLY_MAX_REQUEST_MB', DEFAULT_CONFIG.maxRequestMb, 1, 1024),
    maxAttributes: int(env, 'TINYOLLY_MAX_ATTRIBUTES', DEFAULT_CONFIG.maxAttributes, 1, 1 << 20),
    maxAttributeLength: int(env, 'TINYOLLY_MAX_ATTRIBUTE_LENGTH', DEFAULT_CONFIG.maxAttributeLength, 1, 1 << 30),
    maxSeriesPerMetric: int(env, 'TINYOLLY_MAX_SERIES_PER_METRIC', DEFAULT_CONFIG.maxSeriesPerMetric, 1, 1 << 24),
    maxEventsPerSpan: int(env, 'TINYOLLY_MAX_EVENTS_PER_SPAN', DEFAULT_CONFIG.maxEventsPerSpan, 0, 1 << 20),
    maxLinksPerSpan: int(env, 'TINYOLLY_MAX_LINKS_PER_SPAN', DEFAULT_CONFIG.maxLinksPerSpan, 0, 1 << 20),
    maxItemsPerRequest: int(env, 'TINYOLLY_MAX_ITEMS_PER_REQUEST', DEFAULT_CONFIG.maxItemsPerRequest, 1, 1 << 24),
    maxAttributeDepth: int(env, 'TINYOLLY_MAX_ATTRIBUTE_DEPTH', DEFAULT_CONFIG.maxAttributeDepth, 1, 64),
    maxInFlightExports: int(env, 'TINYOLLY_MAX_INFLIGHT_EXPORTS', DEFAULT_CONFIG.maxInFlightExports, 1, 1 << 16),
    maxImportMb: int(env, 'TINYOLLY_MAX_IMPORT_MB', DEFAULT_CONFIG.maxImportMb, 1, 1 << 20),
    maxBucketsPerPoint: int(env, 'TINYOLLY_MAX_BUCKETS_PER_POINT', DEFAULT_CONFIG.maxBucketsPerPoint, 1, 1 << 20),
    maxInFlightMb: int(env, 'TINYOLLY_MAX_INFLIGHT_MB', DEFAULT_CONFIG.maxInFlightMb, 1, 1 << 20),
    requestTimeoutSeconds: int(env, 'TINYOLLY_REQUEST_TIMEOUT_SECONDS', DEFAULT_CONFIG.requestTimeoutSeconds, 1, 86400),
    maxConnections: int(env, 'TINYOLLY_MAX_CONNECTIONS', DEFAULT_CONFIG.maxConnections, 1, 1 << 20),
    maxSpansPerTrace: int(env, 'TINYOLLY_MAX_SPANS_PER_TRACE', DEFAULT_CONFIG.maxSpansPerTrace, 1, 1 << 24),
    inspectorRequests: int(env, 'TINYOLLY_INSPECTOR_REQUESTS', DEFAULT_CONFIG.inspectorRequests, 1, 1_000_000),
    otlpApiKey: env.TINYOLLY_OTLP_API_KEY || undefined,
    uiToken: env.TINYOLLY_UI_TOKEN || undefined,
    corsOrigins: cors && cors.length > 0 ? cors : undefined,
    // Only present when set, so a default Config has no extra key.
    ...(env.TINYOLLY_ALLOWED_HOSTS?.trim() ? { allowedHosts: env.TINYOLLY_ALLOWED_HOSTS.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
  };
}
