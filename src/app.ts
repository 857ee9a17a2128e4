/**
 * @module app: start(config) wires the store, the ingester and the three listeners
 * (OTLP/gRPC, OTLP/HTTP, UI + API) and returns their ports and a close() for graceful shutdown.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { uiAuth } from './api/auth.js';
import { apiRoutes } from './api/routes.js';
import { uiStatic } from './api/ui-static.js';
import type { Config } from './config.js';
import { Ingester } from './ingest/ingester.js';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './normalise/options.js';
import { bindGrpcServer, createGrpcServer, shutdownGrpcServer } from './receivers/grpc.js';
import { httpReceiver } from './receivers/http.js';
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
      normalise: normaliseOptionsOf(config),
    });
  }
  return new MemoryStore({
    ttlSeconds: config.ttlSeconds,
    maxSeriesPerMetric: config.maxSeriesPerMetric,
    maxBytes: config.maxMemoryMb * MIB,
  });
}

/**
 * fastify's close() waits for every connection to end, and a keep-alive connection whose request was
 * still running at close time stays open afterwards (for the client's keep-alive timeout, 70 s with
 * fastify's default hint). Once closing, every answer says `Connection: close`, so in-flight exports
 * finish and their connections end with them.
 */
function closesKeepAliveOnShutdown(app: FastifyInstance): FastifyInstance {
  let closing = false;
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('preClose', async () => { closing = true; });
  return app;
}

/**
 * Starts TinyOlly. Resolves once all listeners accept connections.
 * `overrides.store` replaces the configured store (tests drive failures through it).
 */
export async function start(config: Config, overrides: { store?: Store } = {}): Promise<Running> {
  const startedAtMs = Date.now();
  const store = overrides.store ?? await createStore(config);
  const maxBodyBytes = config.maxRequestMb * MIB;
  const ingester = new Ingester(store, { ...normaliseOptionsOf(config), maxInFlight: config.maxInFlightExports });
  const ports = { grpc: 0, http: 0, ui: 0 };
  const receiverOptions = { ingester, maxBodyBytes, apiKey: config.otlpApiKey, corsOrigins: config.corsOrigins };

  const grpcServer = createGrpcServer({ ingester, maxMessageBytes: maxBodyBytes, apiKey: config.otlpApiKey });
  const fastifyOptions = { logger: false, bodyLimit: maxBodyBytes, return503OnClosing: true } as const;
  const otlpHttp: FastifyInstance = closesKeepAliveOnShutdown(Fastify(fastifyOptions));
  await otlpHttp.register(httpReceiver, receiverOptions);
  otlpHttp.get('/healthz', async (_req, reply) => {
    const ok = await store.ping();
    return reply.code(ok ? 200 : 503).send(ok ? { status: 'ok' } : { status: 'unavailable', error: 'store unavailable' });
  });

  const ui: FastifyInstance = closesKeepAliveOnShutdown(Fastify(fastifyOptions));
  await ui.register(httpReceiver, receiverOptions);
  const auth = config.uiToken ? uiAuth(config.uiToken) : undefined;
  await ui.register(apiRoutes, { store, startedAtMs, ports: () => ports, auth });
  await ui.register(uiStatic, { auth });

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
      // Stop accepting first, let in-flight exports finish, then close the store.
      await Promise.allSettled([shutdownGrpcServer(grpcServer, 3000), otlpHttp.close(), ui.close()]);
      await ingester.drain();
      await store.close();
    })();
    return closing;
  };
  return { ports, storage: store.kind, store, close };
}
