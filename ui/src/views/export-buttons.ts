/**
 * @module ui/views/export-buttons: "Export" (downloads GET /api/export with a view's filters) and
 * "Copy for AI" (a bounded text summary of a trace plus its OTLP JSON, lib/ai-summary.ts) buttons.
 */
import { exportText, exportUrl } from '../api.js';
import type { Span } from '../api-types.js';
import { aiText } from '../lib/ai-summary.js';
import { h } from './dom.js';

type Params = Record<string, string | number | boolean | undefined | null>;

/** A button that downloads /api/export with the parameters `params()` gives at click time. */
export function exportButton(params: () => Params, title = 'Download as OTLP JSON (import it into any TinyOlly or Collector)'): HTMLButtonElement {
  const btn = h('button', { class: 'btn', type: 'button', title, 'data-testid': 'export-button' }, 'Export');
  btn.addEventListener('click', () => {
    const a = h('a', { href: exportUrl(params()), download: '' });
    a.style.display = 'none';
    document.body.append(a);
    a.click();
    a.remove();
  });
  return btn;
}

/** A button copying the trace's summary and OTLP JSON, sized to paste; its label says what was cut. */
export function copyForAiButton(traceId: string, spans: () => readonly Span[]): HTMLButtonElement {
  const btn = h('button', { class: 'btn', type: 'button', title: 'Copy a compact summary (tree, durations, errors, critical path) and the OTLP JSON, sized to paste into an assistant', 'data-testid': 'copy-for-ai' }, 'Copy for AI');
  btn.addEventListener('click', async () => {
    let json: string | null = null;
    try { json = (await exportText({ signal: 'traces', format: 'json', trace_id: traceId })).trim(); } catch { json = null; }
    const { text, cut } = aiText(traceId, spans(), json);
    btn.dataset.copied = text;
    try {
      await navigator.clipboard.writeText(text);
      btn.textContent = cut.length ? `Copied (${Math.round(text.length / 1024)} KB, cut)` : `Copied (${Math.round(text.length / 1024)} KB)`;
    } catch {
      btn.textContent = 'Copy failed';
    }
    btn.title = cut.length ? `Cut to paste: ${cut.join('; ')}` : 'Copied in full';
    setTimeout(() => { btn.textContent = 'Copy for AI'; }, 3000);
  });
  return btn;
}
