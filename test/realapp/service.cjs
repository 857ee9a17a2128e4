// A small real service for tests, auto-instrumented with the official Node SDK and exporting to
// TinyOlly over OTLP http/protobuf. CommonJS on purpose: the SDK must be started before express
// and pg are required, and require hooks need no loader flag. Run by test/realapp/realapp.ts as a
// child process (IPC channel): env ROLE=frontend|backend, OTLP_URL, BACKEND_URL (frontend),
// PG_TABLE (backend). Prints nothing on stdout; sends {port} once listening and exits after
// {shutdown} has flushed every span.
'use strict';
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const role = process.env.ROLE;
const serviceName = process.env.SERVICE_NAME || role;
const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': serviceName }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: process.env.OTLP_URL }), { scheduledDelayMillis: 200, maxExportBatchSize: 256 })],
  // Defaults of the auto-instrumentations (fs is off by default), as a user would start them.
  instrumentations: [getNodeAutoInstrumentations()],
  metricReaders: [],
});
sdk.start();

const express = require('express');
const app = express();

if (role === 'backend') {
  const { Pool } = require('pg');
  const pool = new Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 4 });
  const table = process.env.PG_TABLE;
  if (!/^[a-z_][a-z0-9_]*$/.test(table || '')) throw new Error('PG_TABLE must be a plain identifier');
  let flaky = 0;
  app.get('/item/:id', async (req, res) => {
    const r = await pool.query(`SELECT id, name FROM ${table} WHERE id = $1`, [Number(req.params.id)]);
    res.json(r.rows[0] ?? null);
  });
  // Every 5th call fails: 20 % of requests, deterministically.
  app.get('/flaky', async (_req, res) => {
    flaky++;
    await pool.query(`SELECT count(*) AS n FROM ${table}`);
    if (flaky % 5 === 0) throw new Error(`flaky failure #${flaky}`);
    res.json({ ok: true });
  });
  // N+1: one query for the ids, then one query per item.
  app.get('/items/n-plus-one', async (_req, res) => {
    const ids = (await pool.query(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r.id);
    const items = [];
    for (const id of ids) items.push((await pool.query(`SELECT id, name FROM ${table} WHERE id = $1`, [id])).rows[0]);
    res.json(items);
  });
  // The batched twin: the same items in two queries.
  app.get('/items/batched', async (_req, res) => {
    const ids = (await pool.query(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r.id);
    const items = (await pool.query(`SELECT id, name FROM ${table} WHERE id = ANY($1) ORDER BY id`, [ids])).rows;
    res.json(items);
  });
  // A route with a configurable slowdown (?delay_ms=, at most 5 s) inside a `report.render` span:
  // the compare tests run it before and after "a change" that made it slower.
  const { trace } = require('@opentelemetry/api');
  const tracer = trace.getTracer('realapp');
  app.get('/report', async (req, res) => {
    const delayMs = Math.min(5000, Math.max(0, Number(req.query.delay_ms) || 0));
    const r = await pool.query(`SELECT count(*) AS n FROM ${table}`);
    await tracer.startActiveSpan('report.render', async (span) => {
      await new Promise((done) => setTimeout(done, delayMs));
      span.end();
    });
    res.json({ n: Number(r.rows[0].n), delayMs });
  });
  app.use((err, _req, res, _next) => res.status(500).json({ error: String(err && err.message) }));
  process.on('message', async (m) => {
    if (m && m.shutdown) {
      await pool.end().catch(() => {});
    }
  });
} else {
  const backend = process.env.BACKEND_URL;
  const call = async (res, path) => {
    const r = await fetch(backend + path);
    const body = await r.text();
    res.status(r.status).type('application/json').send(body);
  };
  app.get('/api/normal', (_req, res) => call(res, '/item/1'));
  app.get('/api/flaky', (_req, res) => call(res, '/flaky'));
  app.get('/api/n-plus-one', (_req, res) => call(res, '/items/n-plus-one'));
  app.get('/api/batched', (_req, res) => call(res, '/items/batched'));
  app.get('/api/report', (req, res) => call(res, `/report?delay_ms=${encodeURIComponent(String(req.query.delay_ms ?? 0))}`));
}

const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', async (m) => {
  if (!m || !m.shutdown) return;
  server.close();
  // Spans of in-flight requests end before the server closes; shutdown flushes the batch processor.
  await new Promise((r) => setTimeout(r, 50));
  await sdk.shutdown().catch((e) => process.stderr.write(`sdk shutdown: ${e}\n`));
  process.send({ flushed: true }, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
