/**
 * @module cli/mcp/server: `tinyolly mcp [--url URL]`, a Model Context Protocol server on stdio built
 * on the official SDK (@modelcontextprotocol/sdk), for coding agents. It talks to a running TinyOlly
 * over its HTTP API; every tool answer goes through cli/mcp/bound.ts (≤ 16 KB). What each tool says is
 * cli/mcp/tools.ts.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { COMMON_OPTIONS, DEFAULT_URL, parse } from '../args.js';
import { ApiError, apiClient, type ApiClient } from '../client.js';
import type { CliIo } from '../run.js';
import { bounded } from './bound.js';
import * as tools from './tools.js';

export const MCP_HELP = `Usage: tinyolly mcp [--url URL]

A Model Context Protocol server on stdio for coding agents, reading the TinyOlly at --url
(default ${DEFAULT_URL}; TINYOLLY_UI_TOKEN is sent as a Bearer token when set).
Add it to an MCP client as the command "npx" with args ["tinyolly", "mcp"].
`;

const sinceSeconds = z.number().positive().max(86_400 * 7).optional().describe('only the last N seconds (by start time / log timestamp)');
const limit = (d: number) => z.number().int().min(1).max(50).optional().describe(`how many (default ${d}, at most 50)`);
const offset = z.number().int().min(0).max(100_000).optional().describe('skip this many (paging; answers say which offset to pass next)');

/** Runs a tool: its text bounded; an API failure becomes an error answer the agent can read. */
async function answer(run: () => Promise<tools.ToolText>): Promise<CallToolResult> {
  try {
    const t = await run();
    return bounded(t.text, { isError: t.isError, more: t.more });
  } catch (err) {
    const message = err instanceof ApiError ? err.message : `unexpected failure: ${(err as Error).message}`;
    return bounded(message, { isError: true });
  }
}

/** The MCP server with every tool registered, reading through `api`. */
export function createMcpServer(api: ApiClient): McpServer {
  const server = new McpServer({ name: 'tinyolly', version: '0.1.0' }, {
    instructions: 'TinyOlly is a local OpenTelemetry backend. Start with list_services or search_traces; get_trace summarises one ' +
      'trace (errors, slowest spans, critical path) before paging its spans; wait_for blocks until telemetry from code you just ' +
      'ran arrives. Answers are bounded and say how to get more.',
  });

  server.registerTool('list_services', {
    title: 'List services',
    description: 'Start here when you do not know what is in TinyOlly: every service that sent telemetry, busiest first, with ' +
      'request and error counts, p50/p95 latency, and log and metric counts. Use the names it gives as `service` in the other tools.',
    inputSchema: {},
  }, () => answer(() => tools.listServices(api)));

  server.registerTool('search_traces', {
    title: 'Search traces',
    description: 'Find traces by service, span name, status, attribute or duration; one line per trace (id, root, duration, ' +
      'spans, errors), newest first, or slowest first with sort=duration. For "the latest checkout trace" use name=checkout ' +
      '(or service=checkout) with limit=1, then get_trace. Use search_logs for log lines, wait_for to block until one arrives.',
    inputSchema: {
      service: z.string().optional().describe('any span of the trace has this service'),
      name: z.string().optional().describe('a span name contains this (case-insensitive)'),
      status: z.enum(['error', 'ok', 'unset']).optional(),
      attr: z.string().optional().describe('KEY=VALUE: a span or resource attribute'),
      min_duration_ms: z.number().min(0).optional(),
      max_duration_ms: z.number().min(0).optional(),
      since_seconds: sinceSeconds,
      sort: z.enum(['start', 'duration']).optional().describe('start (newest first, default) or duration (slowest first)'),
      limit: limit(20),
      offset,
    },
  }, (a) => answer(() => tools.searchTraces(api, a)));

  server.registerTool('get_trace', {
    title: 'Get one trace',
    description: 'One trace by id. Without offset or span_id: a bounded summary ("159 spans, 12 services, 3 errors, 1.2 s"), ' +
      'its services, error spans, slowest spans (with self time), critical path and a collapsed tree. With offset=N: a page of ' +
      `${tools.SPAN_PAGE} span rows from N (order of start). With span_id: that span's attributes, events and links. ` +
      'The summary answers "which span was slowest / failed" without paging.',
    inputSchema: {
      trace_id: z.string().min(1).max(64).describe('the trace id (32 hex characters)'),
      offset: offset.describe('page through the spans from this index (0 for the first page)'),
      span_id: z.string().max(64).optional().describe('one span of the trace: its full attributes and events'),
    },
  }, (a) => answer(() => tools.getTrace(api, a)));

  server.registerTool('search_logs', {
    title: 'Search logs',
    description: 'Log records, newest first, by service, minimum severity, body text, trace or span. Use it for what the code ' +
      'logged; trace_id=… gives the logs of one trace found with search_traces.',
    inputSchema: {
      service: z.string().optional(),
      severity: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']).optional().describe('minimum severity'),
      q: z.string().optional().describe('the body contains this (case-insensitive)'),
      trace_id: z.string().optional(),
      span_id: z.string().optional(),
      since_seconds: sinceSeconds,
      limit: limit(30),
      offset,
    },
  }, (a) => answer(() => tools.searchLogs(api, a)));

  server.registerTool('get_metric', {
    title: 'Get a metric',
    description: 'Without name: the list of metrics (type, series count, last value). With name: its series (labels, point ' +
      'count, last value, min/max, recent points). Use it for counters, gauges and histograms, not for single requests.',
    inputSchema: {
      name: z.string().optional().describe('the metric name; leave out to list the metrics'),
      since_seconds: sinceSeconds,
    },
  }, (a) => answer(() => tools.getMetric(api, a)));

  server.registerTool('wait_for', {
    title: 'Wait for telemetry',
    description: 'Blocks until traces (or logs) matching the filters arrive, after you ran or triggered the code under test, ' +
      'instead of sleeping and polling. Answers the matches, or at the timeout the near misses and why each missed ' +
      '("service checkout, but status ERROR"). Counts only what arrives after the call unless since (unix seconds) is given.',
    inputSchema: {
      signal: z.enum(['traces', 'logs']).optional().describe('default traces'),
      service: z.string().optional(),
      name: z.string().optional().describe('traces: a span name contains this'),
      status: z.enum(['error', 'ok', 'unset']).optional().describe('traces only'),
      attr: z.array(z.string()).max(16).optional().describe('KEY=VALUE attributes, all must match'),
      q: z.string().optional().describe('logs: the body contains this'),
      severity: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']).optional().describe('logs: minimum severity'),
      trace_id: z.string().optional().describe('logs: of this trace'),
      min_duration_ms: z.number().min(0).optional().describe('traces only'),
      min_count: z.number().int().min(1).max(1000).optional().describe('how many must match (default 1)'),
      timeout_ms: z.number().int().min(0).max(60_000).optional().describe('default 10000, at most 60000'),
      since: z.number().optional().describe('unix seconds; default: when the call arrives'),
    },
  }, (a) => answer(() => tools.waitFor(api, a)));

  server.registerTool('doctor', {
    title: 'Instrumentation doctor',
    description: 'Findings about the instrumentation itself (missing service.name, orphan spans, errors not marked, ' +
      'high-cardinality span names, deprecated attributes…) with hints. Use it when data looks wrong or is missing pieces.',
    inputSchema: { service: z.string().optional() },
  }, (a) => answer(() => tools.doctor(api, a)));

  server.registerTool('ingest_status', {
    title: 'Ingest status',
    description: 'What TinyOlly received per sender (requests, accepted, rejected, SDK) and recent refused requests with the ' +
      'reason and a hint. Use it when "my data is not showing up".',
    inputSchema: {},
  }, () => answer(() => tools.ingestStatus(api)));

  server.registerTool('compare_traces', {
    title: 'Compare traces',
    description: 'Aligns two traces (a, b: trace ids), or all traces of one root operation in two time windows, by their ' +
      'span tree, and reports what was added, removed, slower, newly failing, and N+1 patterns. Use it for "why is this one slower".',
    inputSchema: {
      a: z.string().optional().describe('trace id A'),
      b: z.string().optional().describe('trace id B'),
      root: z.string().optional().describe('a root operation name (window mode)'),
      service: z.string().optional(),
    },
  }, (a) => answer(() => tools.compareTraces(api, a)));

  return server;
}

/** `tinyolly mcp`: serves on stdin/stdout until the client closes them; resolves with the exit code. */
export async function runMcp(argv: string[], io: CliIo): Promise<number> {
  const v = parse(argv, { url: COMMON_OPTIONS.url, help: COMMON_OPTIONS.help });
  if (v.help) { io.stdout(MCP_HELP); return 0; }
  const api = apiClient(v.url ?? DEFAULT_URL, io.env.TINYOLLY_UI_TOKEN);
  const server = createMcpServer(api);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
  return 0;
}
