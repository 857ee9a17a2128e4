/**
 * @module ui/lib/ai-summary: "Copy for AI": a compact text summary of one trace (span tree with
 * durations, errors, the critical path, key attributes) plus its OTLP JSON, cut to a size that
 * pastes into a chat, saying what was cut. Pure; the trace view supplies the spans and the JSON.
 */
import type { Span } from '../api-types.js';
import { criticalPath } from './critical-path.js';
import { formatDuration } from './format.js';
import { layoutWaterfall } from './waterfall.js';

/** About 60 KB: pastes into any assistant's prompt. */
export const AI_TEXT_MAX_CHARS = 60_000;
const TREE_MAX_ROWS = 200;
const VALUE_MAX = 120;

/** The attributes worth showing per span: HTTP, DB, RPC, messaging, errors. */
const KEY_ATTRIBUTES = [
  'http.request.method', 'http.method', 'http.route', 'url.full', 'url.path', 'http.url', 'http.target',
  'http.response.status_code', 'http.status_code', 'server.address', 'peer.service',
  'db.system.name', 'db.system', 'db.namespace', 'db.query.text', 'db.statement', 'db.operation.name',
  'rpc.system', 'rpc.service', 'rpc.method', 'rpc.grpc.status_code', 'messaging.system', 'messaging.destination.name',
  'error.type', 'exception.type', 'exception.message',
];

function short(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > VALUE_MAX ? `${s.slice(0, VALUE_MAX)}…` : s;
}

function keyAttributes(span: Span): string {
  const parts: string[] = [];
  for (const k of KEY_ATTRIBUTES) if (span.attributes?.[k] !== undefined) parts.push(`${k}=${short(span.attributes[k])}`);
  return parts.join(' ');
}

export interface AiText {
  text: string;
  /** What was left out, in words (empty when nothing was). */
  cut: string[];
}

/**
 * The summary and the OTLP JSON (`otlpJson`, the export of this trace), together at most `maxChars`
 * characters. The summary comes first and is cut by rows; the JSON is included whole when it fits,
 * otherwise left out with a note on how to get it.
 */
export function aiText(traceId: string, spans: readonly Span[], otlpJson: string | null, maxChars = AI_TEXT_MAX_CHARS): AiText {
  const cut: string[] = [];
  const layout = layoutWaterfall(spans);
  const cp = criticalPath(layout.rows);
  const errors = spans.filter((s) => s.status?.code === 'ERROR');
  const services = [...new Set(spans.map((s) => s.service))].sort();
  const root = layout.rows[0]?.span;
  const lines: string[] = [
    `Trace ${traceId}: ${root ? `${root.service} ${root.name}` : '(no root)'}`,
    `${spans.length} span(s), ${formatDuration(layout.traceDurationMs)}, ${errors.length} error(s), services: ${services.join(', ')}`,
    '',
    'Span tree (offset from trace start, duration; * = on the critical path, ! = error):',
  ];
  const shown = layout.rows.slice(0, TREE_MAX_ROWS);
  shown.forEach((row, i) => {
    const s = row.span;
    const marks = `${cp.has(i) ? '*' : ' '}${s.status?.code === 'ERROR' ? '!' : ' '}`;
    const attrs = keyAttributes(s);
    const err = s.status?.code === 'ERROR' && s.status.message ? ` error="${short(s.status.message)}"` : '';
    lines.push(`${marks} ${'  '.repeat(Math.min(row.depth, 20))}${s.service}: ${s.name} [${s.kind}] +${formatDuration(row.offsetMs)} ${formatDuration(s.durationMs)}${err}${attrs ? ` ${attrs}` : ''}`);
  });
  if (layout.rows.length > shown.length) cut.push(`span tree: ${layout.rows.length - shown.length} of ${layout.rows.length} spans not listed`);
  if (errors.length) {
    lines.push('', 'Errors:');
    for (const s of errors.slice(0, 20)) {
      const ex = s.events?.find((e) => e.name === 'exception');
      const msg = ex?.attributes?.['exception.message'] ?? s.status.message;
      lines.push(`- ${s.service}: ${s.name} (span ${s.spanId})${msg ? `: ${short(msg)}` : ''}`);
    }
    if (errors.length > 20) cut.push(`errors: ${errors.length - 20} more not listed`);
  }
  const cpRows = [...cp].sort((a, b) => a - b).map((i) => layout.rows[i]);
  lines.push('', `Critical path (${cpRows.length} span(s)): ${cpRows.map((r) => `${r.span.name} ${formatDuration(r.span.durationMs)}`).join(' → ')}`);
  let summary = lines.join('\n');
  const budget = Math.floor(maxChars * 0.4);
  if (!otlpJson || otlpJson.length + summary.length + 200 > maxChars) {
    if (summary.length > maxChars - 300) {
      summary = `${summary.slice(0, maxChars - 300)}…`;
      cut.push('summary cut to fit');
    }
  } else if (summary.length > budget && summary.length + otlpJson.length > maxChars) {
    summary = `${summary.slice(0, budget)}…`;
    cut.push('summary cut to fit');
  }
  let text = summary;
  const room = maxChars - summary.length - 200;
  if (otlpJson && otlpJson.length <= room) text += `\n\nOTLP JSON (ExportTraceServiceRequest):\n${otlpJson}`;
  else if (otlpJson) cut.push(`OTLP JSON (${Math.round(otlpJson.length / 1024)} KB) left out: download it with Export`);
  if (cut.length) text += `\n\n[Cut to paste: ${cut.join('; ')}]`;
  return { text, cut };
}
