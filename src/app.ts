/**
 * @module app: start(config) wires the store, the ingester and the three listeners
 * (OTLP/gRPC, OTLP/HTTP, UI + API) and returns their ports and a close() for graceful shutdown.
 */
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { uiAuth } from './api/auth.js';
import { healthRoute } from './api/health.js';
import { hostAllowList } from './api/hosts.js';
import { apiRoutes } from './api/routes.js';
import { uiStatic } from './api/ui-static.js';
import { DEFAULT_CONFIG, type Config } from './config.js';
import { Ingester } from './ingest/ingester.js';
import { DEFAULT_MAX_BYTES as DOCTOR_MAX_BYTES } from './doctor/doctor.js';
import { doctorOf } from './doctor/registry.js';
import { DEFAULT_MAX_BYTES as CATALOG_MAX_BYTES } from './live/attributes.js';
import { liveOf } from './live/registry.js';
import { DEFAULT_MAX_BYTES as INSPECTOR_MAX_BYTES, Inspector } from './inspect/inspector.js';
import { inspectClientErrors, inspectNotFound, isOutsideApi, recordNotFound } from './inspect/http.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './normalise/options.js';
import { bindGrpcServer, createGrpcServer, shutdownGrpcServer } from './receivers/grpc.js';
import { httpReceiver } from './receivers/http.js';
import { gracefulHttp } from './receivers/http-close.js';
import { UploadBudget } from './receivers/upload-budget.js';
import { MemoryStore } from './store/memory/memory-store.js';
import type { Store } from './store/store.js';

const MIB = 1024 * 1024;

export interface Running {
  ports: { grpc: number; http: number; ui: number };
  storage: Store['kind'];
  store: Store;
  /** Stops accepting, finishes in-flight exports, closes the store. Safe to call twice. */
  close(): Promise<void>;
}

/** The normalisation limits of this configuration (ingest applies them; the Redis store reads spans back under them). */
function normaliseOptionsOf(config: Config): NormaliseOptions {
  return {
    ...DEFAULT_NORMALISE_OPTIONS,
    maxAttributes: config.maxAttributes,
    maxAttributeLength: config.maxAttributeLength,
    maxEvents: config.maxEventsPerSpan,
    maxLinks: config.maxLinksPerSpan,
    maxItems: config.maxItemsPerRequest,
    maxDepth: config.maxAttributeDepth,
    maxBuckets: config.maxBucketsPerPoint,
  };
}

async function createStore(config: Config): Promise<Store> {
  if (config.storage === 'redis') {
    const { createRedisStore } = await import('./store/redis/redis-store.js');
    return createRedisStore({
      url: config.redisUrl,
      cluster: config.redisCluster,
      keyPrefix: config.keyPrefix,
      ttlSeconds: config.ttlSeconds,
      maxSeriesPerMetric: config.maxSeriesPerMetric,
      maxSpansPerTrace: config.maxSpansPerTrace,
      normalise: normaliseOptionsOf(config),
    });
  }
  return new MemoryStore({
    ttlSeconds: config.ttlSeconds,
    maxSeriesPerMetric: config.maxSeriesPerMetric,
    maxSpansPerTrace: config.maxSpansPerTrace,
    maxBytes: config.maxMemoryMb * MIB,
  });
}

/** The memory store's cap the observers' own byte budgets are sized for: the default one. */
const OBSERVERS_SIZED_FOR_BYTES = DEFAULT_CONFIG.maxMemoryMb * MIB;

/**
 * The ingest observers' byte budgets (the doctor's spans, the attribute catalog, the inspector's
 * records), which sit beside the memory store's cap: their defaults at the default cap and above, the
 * same share of a smaller cap (at least 1 MiB each), so that a small TINYOLLY_MAX_MEMORY_MB bounds what
 * they keep as well (issue 11: 120k distinct spans took a 32 MiB-cap process past cap + 150 MiB
 * through them). Redis mode (no cap) keeps the defaults.
 */
export function observerBudgets(capBytes: number | undefined): { doctor: number; catalog: number; inspector: number } {
  const share = capBytes === undefined ? 1 : Math.min(1, capBytes / OBSERVERS_SIZED_FOR_BYTES);
  const of = (full: number) => Math.max(MIB, Math.floor(full * share));
  return { doctor: of(DOCTOR_MAX_BYTES), catalog: of(CATALOG_MAX_BYTES), inspector: of(INSPECTOR_MAX_BYTES) };
}

/**
 * The router's limit on one path parameter, in characters of the URL as sent (percent-encoded).
 * fastify's default, 100, answered 414 for stored items with longer ids or names; metric names are
 * cut to 255 characters (up to 9 encoded characters each) and ids are stored as sent, so the limit
 * is Node's own bound on a request line instead (its 16 KiB header limit).
 */
export const MAX_PARAM_LENGTH = 16 * 1024;

/**
 * Starts TinyOlly. Resolves once all listeners accept connections.
 * `overrides.store` replaces the configured store (tests drive failures through it);
 * `overrides.logError` receives the one line (with stack) logged for each unexpected failure of a
 * read (stderr by default).
 */
export async function start(config: Config, overrides: { store?: Store; logError?: (line: string) => void } = {}): Promise<Running> {
  const startedAtMs = Date.now();
  const store = overrides.store ?? await createStore(config);
  const maxBodyBytes = config.maxRequestMb * MIB;
  const limits = normaliseOptionsOf(config);
  const ingester = new Ingester(store, { maxInFlight: config.maxInFlightExports });
  const budgets = observerBudgets(config.storage === 'memory' ? config.maxMemoryMb * MIB : undefined);
  // The instrumentation doctor hears every write from the start (CONTRACT §9).
  doctorOf(store, { maxAttributeLength: config.maxAttributeLength, maxBytes: budgets.doctor });
  // Live push and the attribute catalog (CONTRACT §7) hear every write too.
  const live = liveOf(store, { ttlSeconds: config.ttlSeconds, catalogBytes: budgets.catalog });
  const ports = { grpc: 0, http: 0, ui: 0 };
  // The ingest inspector (CONTRACT §8): fed by both receivers, told the services by the ingester.
  const inspector = new Inspector(config.inspectorRequests ?? 1000, Date.now, budgets.inspector);
  ingester.observe(inspector.observe);
  // Uploads in progress (issue 11): one byte budget across every OTLP listener, a body time limit, connections per port.
  const uploads = new UploadBudget(config.maxInFlightMb * MIB);
  const requestTimeoutMs = config.requestTimeoutSeconds * 1000;
  const receiverOptions = { ingester, limits, maxBodyBytes, apiKey: config.otlpApiKey, corsOrigins: config.corsOrigins, inspector, uploads };

  const grpcServer = createGrpcServer({
    ingester, limits, maxMessageBytes: maxBodyBytes, apiKey: config.otlpApiKey, storeReady: () => store.ping(), inspector, port: () => ports.grpc,
    uploads, uploadTimeoutMs: requestTimeoutMs, maxConnections: config.maxConnections,
  });
  const fastifyOptions = { logger: false, bodyLimit: maxBodyBytes, return503OnClosing: true, routerOptions: { maxParamLength: MAX_PARAM_LENGTH } } as const;
  // 4318 serves only OTLP: Node's own requestTimeout bounds a whole request there (408), checked every second.
  const otlpHttp: FastifyInstance = Fastify({
    ...fastifyOptions, requestTimeout: requestTimeoutMs,
    http: { connectionsCheckingInterval: Math.min(1000, requestTimeoutMs), headersTimeout: Math.min(60_000, requestTimeoutMs) },
  });
  otlpHttp.server.maxConnections = config.maxConnections;
  const otlpHttpClose = gracefulHttp(otlpHttp);
  await otlpHttp.register(httpReceiver, receiverOptions);
  inspectNotFound(otlpHttp, inspector);
  inspectClientErrors(otlpHttp, inspector);
  healthRoute(otlpHttp, store);

  const ui: FastifyInstance = Fastify(fastifyOptions);
  ui.server.maxConnections = config.maxConnections;
  const uiClose = gracefulHttp(ui);
  // A Cookie header that cannot be decoded leaves the value as sent: it matches no session (401).
  await ui.register(fastifyCookie);
  // 5002 also takes long imports: only its OTLP bodies are timed, by the receiver.
  await ui.register(httpReceiver, { ...receiverOptions, bodyTimeoutMs: requestTimeoutMs });
  // 5002 takes ingest too (CONTRACT §6): a POST outside /api that matches no route is a wrong OTLP path.
  recordNotFound(ui, inspector, isOutsideApi);
  const auth = config.uiToken ? uiAuth(config.uiToken) : undefined;
  const hostAllowed = hostAllowList(config.host, config.allowedHosts);
  // A bug in a read is reported once, with its stack (on stderr unless the caller says otherwise).
  const logError = overrides.logError ?? ((line: string) => process.stderr.write(line + '\n'));
  const onError = (err: unknown, req: { method: string; url: string }) =>
    logError(`tinyolly: unexpected error answering ${req.method} ${req.url}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  const exportImport = { ingester, normalise: limits, maxImportBytes: config.maxImportMb * MIB, maxDocumentBytes: Math.max(64 * MIB, maxBodyBytes) };
  // The memory store counts items evicted and expired; the Redis store counts what its trimmer saw expire.
  const drops = () => (store as { dropped?: { evicted: number; expired: number } }).dropped ?? { evicted: 0, expired: 0 };
  await ui.register(apiRoutes, { store, startedAtMs, ports: () => ports, auth, hostAllowed, onError, exportImport, ingest: { inspector, drops }, ttlSeconds: config.ttlSeconds });
  healthRoute(ui, store);
  await ui.register(uiStatic, { auth, hostAllowed });

  try {
    ports.grpc = await bindGrpcServer(grpcServer, config.host, config.grpcPort);
    await otlpHttp.listen({ host: config.host, port: config.httpPort });
    ports.http = (otlpHttp.server.address() as { port: number }).port;
    await ui.listen({ host: config.host, port: config.uiPort });
    ports.ui = (ui.server.address() as { port: number }).port;
  } catch (err) {
    grpcServer.forceShutdown();
    await Promise.allSettled([otlpHttp.close(), ui.close()]);
    await store.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Stop accepting first, let in-flight exports finish, then close the store. Live streams
      // never go idle: they are ended first so they do not hold the UI server open.
      live.hub.close();
      await Promise.allSettled([shutdownGrpcServer(grpcServer, 3000), otlpHttpClose.close(), uiClose.close()]);
      await ingester.drain();
      await store.close();
    })();
    return closing;
  };
  return { ports, storage: store.kind, store, close };
}
