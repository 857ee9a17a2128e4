/**
 * @module cli/mcp/bound: the one place every MCP tool answer passes through. An answer is text,
 * summary first; past MAX_ANSWER_BYTES (its JSON as sent) it is cut at a line boundary and says so,
 * with how to get the rest. Tools page and summarise by themselves; this bound is the backstop.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The bound on one tool result as serialised JSON (16 KB, with room for the JSON-RPC envelope). */
export const MAX_ANSWER_BYTES = 16 * 1024 - 256;

function result(text: string, isError: boolean): CallToolResult {
  return isError ? { content: [{ type: 'text', text }], isError: true } : { content: [{ type: 'text', text }] };
}

export function resultBytes(r: CallToolResult): number {
  return Buffer.byteLength(JSON.stringify(r));
}

/**
 * Wraps a tool's text as its result, within the bound. `more` says how to get what a cut leaves out
 * (e.g. "call again with offset=40"); the default asks for narrower filters or a smaller limit.
 */
export function bounded(text: string, opts: { isError?: boolean; more?: string } = {}): CallToolResult {
  const isError = opts.isError ?? false;
  const whole = result(text, isError);
  if (resultBytes(whole) <= MAX_ANSWER_BYTES) return whole;
  const lines = text.split('\n');
  const note = (left: number) => `\n[answer cut at the 16 KB bound: ${left} more line${left === 1 ? '' : 's'} left out; ` +
    `${opts.more ?? 'narrow the filters, lower limit, or page with offset'}]`;
  // The largest prefix of whole lines that fits with the note.
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const r = result(lines.slice(0, mid).join('\n') + note(lines.length - mid), isError);
    if (resultBytes(r) <= MAX_ANSWER_BYTES) lo = mid; else hi = mid - 1;
  }
  if (lo === 0) {
    // One giant line: cut inside it.
    let t = text.slice(0, 8000);
    while (resultBytes(result(t + note(lines.length), isError)) > MAX_ANSWER_BYTES) t = t.slice(0, Math.floor(t.length * 0.8));
    return result(t + '…' + note(lines.length), isError);
  }
  return result(lines.slice(0, lo).join('\n') + note(lines.length - lo), isError);
}
