/**
 * @module config: the Config type, its defaults, and loadConfig(argv, env) (CONTRACT §1.2, §6).
 * Pure: main.ts passes process.argv/env in. Invalid values throw ConfigError at start-up.
 */

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
  maxBucketsPerPoint: number;
  otlpApiKey?: string;
  uiToken?: string;
  corsOrigins?: string[];
}

export const DEFAULT_CONFIG: Config = {
  host: '0.0.0.0',
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
  maxBucketsPerPoint: 1024,
};

export class ConfigError extends Error {}

export const HELP = `Usage: tinyolly [options]

A desktop OpenTelemetry backend: OTLP/gRPC on 4317, OTLP/HTTP on 4318, UI and API on 5002.

Options (each overrides the environment variable named beside it):
  --grpc-port N      OTLP/gRPC port                  TINYOLLY_GRPC_PORT   (4317; 0 = any free port)
  --http-port N      OTLP/HTTP port                  TINYOLLY_HTTP_PORT   (4318)
  --ui-port N        web UI, query API and /v1/*     TINYOLLY_UI_PORT     (5002)
  --host ADDR        bind address for all three      TINYOLLY_HOST        (0.0.0.0)
  --storage KIND     memory | redis                  TINYOLLY_STORAGE     (redis if REDIS_URL is set)
  --redis-url URL    e.g. redis://127.0.0.1:6379/0   REDIS_URL
  --ttl SECONDS      retention of every item         TINYOLLY_TTL_SECONDS (600)
  -h, --help         print this help

Other environment variables:
  TINYOLLY_MAX_MEMORY_MB (256)  TINYOLLY_KEY_PREFIX (tinyolly:)  TINYOLLY_REDIS_CLUSTER (0)
  TINYOLLY_MAX_REQUEST_MB (16)  TINYOLLY_MAX_ATTRIBUTES (128)  TINYOLLY_MAX_ATTRIBUTE_LENGTH (4096)
  TINYOLLY_MAX_SERIES_PER_METRIC (1000)  TINYOLLY_MAX_EVENTS_PER_SPAN (128)  TINYOLLY_MAX_LINKS_PER_SPAN (128)
  TINYOLLY_MAX_ITEMS_PER_REQUEST (100000)  TINYOLLY_MAX_ATTRIBUTE_DEPTH (16)  TINYOLLY_MAX_INFLIGHT_EXPORTS (64)
  TINYOLLY_OTLP_API_KEY  TINYOLLY_UI_TOKEN  TINYOLLY_CORS_ORIGINS
  TINYOLLY_MAX_BUCKETS_PER_POINT (1024)
`;

const FLAGS: Record<string, string> = {
  '--grpc-port': 'TINYOLLY_GRPC_PORT',
  '--http-port': 'TINYOLLY_HTTP_PORT',
  '--ui-port': 'TINYOLLY_UI_PORT',
  '--host': 'TINYOLLY_HOST',
  '--storage': 'TINYOLLY_STORAGE',
  '--redis-url': 'REDIS_URL',
  '--ttl': 'TINYOLLY_TTL_SECONDS',
};

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
  const env = { ...envIn };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const target = FLAGS[flag];
    if (!target) throw new ConfigError(`unknown option "${arg}" (see --help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`option ${flag} needs a value`);
    env[target] = value;
  }
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
    redisCluster: env.TINYOLLY_REDIS_CLUSTER === '1' || env.TINYOLLY_REDIS_CLUSTER === 'true',
    keyPrefix: env.TINYOLLY_KEY_PREFIX ?? DEFAULT_CONFIG.keyPrefix,
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
    maxBucketsPerPoint: int(env, 'TINYOLLY_MAX_BUCKETS_PER_POINT', DEFAULT_CONFIG.maxBucketsPerPoint, 1, 1 << 20),
    otlpApiKey: env.TINYOLLY_OTLP_API_KEY || undefined,
    uiToken: env.TINYOLLY_UI_TOKEN || undefined,
    corsOrigins: cors && cors.length > 0 ? cors : undefined,
  };
}
