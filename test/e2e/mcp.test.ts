/**
 * End to end: `tinyolly mcp` driven by the MCP SDK's own client over stdio (StdioClientTransport
 * spawning bin/tinyolly.js), against a real TinyOlly fed by the official OpenTelemetry JS SDK.
 * Lists the tools, calls each on real data, checks every answer's 16 KB bound, that a 5,000-span
 * trace is summarised rather than dumped, and that the slowest span of the latest checkout trace
 * takes two tool calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ROOT, getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { loggerProvider, meterProvider, tracerProvider } from '../helpers/otel-sdk.js';

const LIMIT = 16 * 1024;
const T0 = Date.now() - 60_000;
const at = (ms: number) => new Date(T0 + ms);

describe('tinyolly mcp', { timeout: 60_000 }, () => {
  let app: TinyOllyProcess;
  let client: Client;
  let checkoutTrace = '';
  let bigTrace = '';
  const sizes: Record<string, number[]> = {};

  async function call(name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean }> {
    const r = await client.callTool({ name, arguments: args });
    const bytes = Buffer.byteLength(JSON.stringify(r));
    (sizes[name] ??= []).push(bytes);
    expect(bytes).toBeLessThanOrEqual(LIMIT);
    const content = r.content as { type: string; text: string }[];
    return { text: content.map((c) => c.text).join('\n'), isError: r.isError === true };
  }

  beforeAll(async () => {
    app = await startTinyOlly();
    const target = { grpcUrl: app.grpcUrl, otlpHttpUrl: app.otlpHttpUrl };

    // A checkout trace with a slow child and a failing one, at fixed times.
    const tp = tracerProvider(target, { protocol: 'http/protobuf', serviceName: 'checkout' });
    const tracer = tp.getTracer('mcp-e2e');
    const root = tracer.startSpan('POST /checkout', { startTime: at(0) });
    checkoutTrace = root.spanContext().traceId;
    const ctx = trace.setSpan(context.active(), root);
    tracer.startSpan('load cart', { startTime: at(1) }, ctx).end(at(11));
    tracer.startSpan('charge card', { startTime: at(12) }, ctx).end(at(172));
    const bad = tracer.startSpan('reserve stock', { startTime: at(173) }, ctx);
    bad.setStatus({ code: SpanStatusCode.ERROR, message: 'out of stock' });
    bad.end(at(180));
    root.end(at(200));
    await tp.forceFlush();
    await tp.shutdown();

    // A 5,000-span trace, batched.
    const big = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'bulk' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${app.otlpHttpUrl}/v1/traces` }),
        { maxQueueSize: 10_000, maxExportBatchSize: 1000, scheduledDelayMillis: 50 })],
    });
    const bt = big.getTracer('bulk');
    const bigRoot = bt.startSpan('bulk job', { startTime: at(0) });
    bigTrace = bigRoot.spanContext().traceId;
    const bctx = trace.setSpan(context.active(), bigRoot);
    for (let i = 0; i < 4999; i++) bt.startSpan(i % 50 === 0 ? `step ${i}` : 'SELECT item', { startTime: at(1 + i / 10) }, bctx).end(at(1 + i / 10 + (i === 777 ? 400 : 0.05)));
    bigRoot.end(at(900));
    await big.forceFlush();
    await big.shutdown();

    const lp = loggerProvider(target, { protocol: 'http/protobuf', serviceName: 'checkout' });
    lp.getLogger('mcp-e2e').emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'reserve stock failed: out of stock' });
    await lp.forceFlush();
    await lp.shutdown();
    const mp = meterProvider(target, { protocol: 'http/protobuf', serviceName: 'checkout' });
    mp.getMeter('mcp-e2e').createCounter('orders.placed').add(3, { region: 'eu' });
    await mp.forceFlush();
    await mp.shutdown();

    await waitFor(async () => (await getJson(app.baseUrl, `/api/traces/${bigTrace}`)).body.spans?.length === 5000, 30_000, 200);
    await waitFor(async () => (await getJson(app.baseUrl, '/api/metrics')).body.metrics.length > 0);

    client = new Client({ name: 'tinyolly-e2e', version: '1.0.0' });
    await client.connect(new StdioClientTransport({
      command: process.execPath,
      args: [path.join(ROOT, 'bin/tinyolly.js'), 'mcp', '--url', app.baseUrl],
      cwd: ROOT,
      env: { ...process.env, TINYOLLY_UI_TOKEN: '' } as Record<string, string>,
      stderr: 'pipe',
    }));
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await app?.stop();
    console.log('answer sizes (bytes):', JSON.stringify(sizes));
  });

  it('lists its tools, each with a description', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual(['compare_traces', 'doctor', 'get_metric', 'get_trace', 'ingest_status', 'list_services', 'search_logs', 'search_traces', 'wait_for']);
    for (const t of tools) expect(t.description!.length).toBeGreaterThan(60);
  });

  it('finds the slowest span of the latest checkout trace in two tool calls', async () => {
    const found = await call('search_traces', { name: 'checkout', limit: 1 });
    const traceId = /\b[0-9a-f]{32}\b/.exec(found.text)![0];
    expect(traceId).toBe(checkoutTrace);
    const t = await call('get_trace', { trace_id: traceId });
    expect(t.text).toMatch(/^trace [0-9a-f]{32}: 4 spans, 1 service, 1 error, 200 ms/);
    const slowest = t.text.split('slowest spans')[1].split('\n')[2];
    expect(slowest).toMatch(/checkout: charge card {2}160 ms/);
    expect(t.text).toMatch(/reserve stock {2}7 ms {2}ERROR\(out of stock\)/);
    expect(t.text).toContain('critical path');
    // A deep link into the UI, keeping the time window.
    expect(t.text).toMatch(new RegExp(`${app.baseUrl}/#/traces/${traceId}\\?start=[\\d.]+&end=[\\d.]+`));
  });

  it('summarises a 5,000-span trace instead of dumping it, and pages its spans', async () => {
    const t = await call('get_trace', { trace_id: bigTrace });
    expect(t.text).toMatch(/5000 spans, 1 service, 0 errors/);
    expect(t.text).toMatch(/SELECT item {2}×\d+/);
    expect(t.text).toContain('offset=0');
    expect((t.text.match(/\[[0-9a-f]{16}\]/g) ?? []).length).toBeLessThan(120);
    // The 400 ms span is the slowest child.
    expect(t.text.split('slowest spans')[1]).toMatch(/SELECT item {2}400 ms/);
    const page = await call('get_trace', { trace_id: bigTrace, offset: 0 });
    expect(page.text).toContain('spans 0–79 of 5000');
    expect(page.text).toContain('call again with offset=80');
    const last = await call('get_trace', { trace_id: bigTrace, offset: 4960 });
    expect(last.text).toContain('spans 4960–4999 of 5000');
    const one = await call('get_trace', { trace_id: checkoutTrace, span_id: /\[([0-9a-f]{16})\]/.exec((await call('get_trace', { trace_id: checkoutTrace, offset: 0 })).text)![1] });
    expect(one.text).toMatch(/attributes: \{/);
  });

  it('answers the other tools on real data, bounded, with links and paging hints', async () => {
    const services = await call('list_services');
    expect(services.text).toMatch(/^2 services/);
    expect(services.text).toContain(`${app.baseUrl}/#/traces?service=checkout`);

    const many = await call('search_traces', { service: 'bulk', limit: 1 });
    expect(many.text).toContain('1 trace');

    const logs = await call('search_logs', { service: 'checkout', severity: 'ERROR' });
    expect(logs.text).toContain('reserve stock failed: out of stock');
    expect(logs.text).toContain(`${app.baseUrl}/#/logs?service=checkout&severity=ERROR`);

    const metrics = await call('get_metric');
    expect(metrics.text).toContain('orders.placed');
    const metric = await call('get_metric', { name: 'orders.placed' });
    expect(metric.text).toMatch(/metric orders\.placed: sum/);
    expect(metric.text).toContain('"region":"eu"');

    const waited = await call('wait_for', { name: 'checkout', since: T0 / 1000, timeout_ms: 5000 });
    expect(waited.text).toMatch(/^matched: 1 traces/);
    const missed = await call('wait_for', { service: 'checkout', status: 'ok', since: T0 / 1000, timeout_ms: 300 });
    expect(missed.text).toContain('service checkout, but status ERROR, wanted OK');

    // The tools over CONTRACT §8, §9 and §12 answer from their routes.
    const doc = await call('doctor', {});
    expect(doc.isError).toBeFalsy();
    expect(doc.text).toMatch(/^doctor: (no findings|\d+ findings? \(most severe first\))/);
    const ingest = await call('ingest_status', {});
    expect(ingest.isError).toBeFalsy();
    expect(ingest.text).toMatch(/ingest: \d+ sender services?; dropped: evicted \d+/);
    expect(ingest.text).toContain('- checkout: traces ');
    const cmp = await call('compare_traces', { a: checkoutTrace, b: bigTrace });
    expect(cmp.isError).toBeFalsy();
    expect(cmp.text).toMatch(/^compare: \d+ aligned nodes, \d+ differ; \d+ findings?\./);
    expect(cmp.text).toContain(`#/traces/${checkoutTrace}`);
  });

  it('answers an unknown trace with a readable error', async () => {
    const unknown = await call('get_trace', { trace_id: 'ffffffffffffffffffffffffffffffff' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain('not found');
  });
});
