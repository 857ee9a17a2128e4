/**
 * @module api/export-import: GET /api/export and POST /api/import (CONTRACT §11) as a fastify plugin,
 * registered inside the /api routes so the UI token guards both. Export streams text from
 * export/export-query.ts; import streams the request body into export/import.ts, never buffering it
 * whole, under its own size limit (TINYOLLY_MAX_IMPORT_MB) instead of OTLP's.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { mapError, TinyOllyError } from '../errors.js';
import { exportText, type ExportRequest, type ExportSignal } from '../export/export-query.js';
import { importBody, type ImportResult, type ImportSignal } from '../export/import.js';
import type { Ingester } from '../ingest/ingester.js';
import type { NormaliseOptions } from '../normalise/options.js';
import type { Store } from '../store/store.js';
import { toLogQuery, toRange, toTraceQuery } from './params.js';

export interface ExportImportOptions {
  store: Store;
  ingester: Ingester;
  /** The limits ingest applied (wire-backed items are re-read under them). */
  normalise: NormaliseOptions;
  /** POST /api/import body limit, compressed and inflated. */
  maxImportBytes: number;
  /** One JSONL line, one whole JSON document or one protobuf body. */
  maxDocumentBytes: number;
}

const num = { type: 'number' } as const;
const str = { type: 'string', maxLength: 1024 } as const;
const EXPORT_QUERY_SCHEMA = {
  type: 'object',
  properties: {
    signal: str, format: str, trace_id: str, service: str, start: num, end: num,
    name: str, status: str, attr: str, min_duration_ms: num, max_duration_ms: num,
    severity: str, q: str, span_id: str,
  },
} as const;

const SIGNALS: ExportSignal[] = ['traces', 'logs', 'metrics'];

/** GET /api/export parameters → ExportRequest (throws TinyOllyError('invalid')). */
export function toExportRequest(q: Record<string, unknown>): ExportRequest {
  const signal = typeof q.signal === 'string' && q.signal !== '' ? q.signal.toLowerCase() : 'all';
  if (signal !== 'all' && !SIGNALS.includes(signal as ExportSignal)) throw new TinyOllyError('invalid', 'signal must be traces, logs, metrics or all');
  const formatRaw = typeof q.format === 'string' && q.format !== '' ? q.format.toLowerCase() : signal === 'all' ? 'jsonl' : 'json';
  if (formatRaw !== 'json' && formatRaw !== 'jsonl') throw new TinyOllyError('invalid', 'format must be json or jsonl');
  if (signal === 'all' && formatRaw === 'json') throw new TinyOllyError('invalid', 'format=json holds one signal: ask for signal=traces, logs or metrics, or use format=jsonl');
  const traceId = typeof q.trace_id === 'string' && q.trace_id !== '' ? q.trace_id.toLowerCase() : undefined;
  const { limit: _t, ...traces } = toTraceQuery(q);
  const { limit: _l, ...logs } = toLogQuery(q);
  const range = toRange(q as { start?: number; end?: number });
  return {
    signals: signal === 'all' ? SIGNALS : [signal as ExportSignal],
    format: formatRaw,
    traceId,
    traces,
    logs,
    service: traces.service,
    ...range,
  };
}

function fileName(req: ExportRequest): string {
  const what = req.traceId ? `trace-${req.traceId.replace(/[^0-9a-z]/g, '').slice(0, 32)}` : req.signals.length === 1 ? req.signals[0] : 'telemetry';
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return `tinyolly-${what}-${stamp}.${req.format}`;
}

function importSignal(v: unknown): ImportSignal | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const s = v.toLowerCase();
  if (s !== 'traces' && s !== 'logs' && s !== 'metrics') throw new TinyOllyError('invalid', 'X-Otlp-Signal must be traces, logs or metrics');
  return s;
}

/** Registers GET /api/export and POST /api/import. */
export async function exportImportRoutes(app: FastifyInstance, opts: ExportImportOptions): Promise<void> {
  // The import body is read here as a stream, whatever its type: no parser may buffer it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  app.get('/export', { schema: { querystring: EXPORT_QUERY_SCHEMA } }, async (req, reply) => {
    const request = toExportRequest(req.query as Record<string, unknown>);
    if (request.traceId !== undefined && request.signals.includes('traces') && !(await opts.store.getTrace(request.traceId))) {
      return reply.code(404).send({ error: `trace ${request.traceId} not found` });
    }
    reply.header('content-type', request.format === 'jsonl' ? 'application/x-ndjson; charset=utf-8' : 'application/json; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="${fileName(request)}"`);
    reply.header('cache-control', 'no-store');
    return reply.send(Readable.from(exportText(opts.store, request, opts.normalise)));
  });

  app.post('/import', { bodyLimit: opts.maxImportBytes }, async (req, reply) => {
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > opts.maxImportBytes) {
      req.raw.resume();
      return reply.code(413).send({ error: `import body over ${opts.maxImportBytes} bytes (TINYOLLY_MAX_IMPORT_MB)` });
    }
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const protobuf = type === 'application/x-protobuf' || type === 'application/protobuf';
    const encodingHeader = String(req.headers['content-encoding'] ?? '').toLowerCase();
    if (encodingHeader !== '' && encodingHeader !== 'gzip' && encodingHeader !== 'identity') {
      req.raw.resume();
      return reply.code(415).send({ error: `Content-Encoding ${encodingHeader} is not supported (gzip is)` });
    }
    try {
      const result = await importBody(req.raw, opts.ingester, {
        maxBytes: opts.maxImportBytes,
        maxDocumentBytes: opts.maxDocumentBytes,
        encoding: protobuf ? 'protobuf' : 'auto',
        signal: importSignal(req.headers['x-otlp-signal']),
        gzip: encodingHeader === 'gzip',
        limits: opts.normalise,
      });
      const nothing = result.imported.spans + result.imported.logs + result.imported.points === 0;
      return reply.code(nothing && result.errors.length > 0 ? 400 : 200).send(result);
    } catch (err) {
      const partial = (err as { partial?: ImportResult }).partial;
      const m = mapError(err);
      if (m.http === 413 || m.http === 400) req.raw.resume();
      if (m.retryAfter !== undefined) reply.header('retry-after', String(m.retryAfter));
      return reply.code(m.http).send({ error: m.message, ...(partial ?? {}) });
    }
  });
}
