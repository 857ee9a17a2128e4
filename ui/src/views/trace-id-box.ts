/**
 * @module ui/views/trace-id-box: the header's "open a trace by id" box. A pasted trace id (or
 * traceparent, or a unique prefix of 8+ hex digits) opens that trace from any page; GET
 * /api/trace-ids resolves a prefix and tells "not found" and "ambiguous" apart.
 */
import { findTraceIds } from '../api.js';
import { buildHash } from '../lib/route.js';
import { traceIdOf } from '../lib/trace-id.js';
import { h } from './dom.js';

/** The box and its one-line answer (shown under it while it has something to say). */
export function traceIdBox(): HTMLElement {
  const input = h('input', {
    type: 'search', class: 'input trace-id-input', placeholder: 'Open trace id…', 'aria-label': 'Open a trace by id or prefix',
    'data-testid': 'trace-id-box', spellcheck: 'false', autocomplete: 'off', maxlength: '200',
  });
  const note = h('span', { class: 'trace-id-note', role: 'status', 'data-testid': 'trace-id-note', hidden: true });
  const say = (text: string): void => { note.textContent = text; note.hidden = text === ''; };
  let seq = 0;
  const go = async (): Promise<void> => {
    const id = traceIdOf(input.value);
    if (!id) { say(input.value.trim() ? 'Not a trace id: paste 32 hex digits, or 8 or more of its first ones' : ''); return; }
    const mine = ++seq;
    say('Looking…');
    try {
      const ids = await findTraceIds(id);
      if (mine !== seq) return;
      if (ids.length === 1) {
        say('');
        input.value = '';
        input.blur();
        location.hash = buildHash('trace', ids[0]);
      } else if (ids.length === 0) say(`No stored trace ${id.length === 32 ? 'has the id' : 'starts with'} ${id}`);
      else say(`${ids.length >= 20 ? '20 or more' : ids.length} traces start with ${id}: type more digits`);
    } catch (err) {
      if (mine === seq) say(err instanceof Error ? err.message : 'Looking up the trace failed');
    }
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); void go(); }
    if (e.key === 'Escape') say('');
  });
  // A paste of a whole id opens it at once; typing waits for Enter.
  input.addEventListener('paste', () => setTimeout(() => { if (traceIdOf(input.value)) void go(); }, 0));
  input.addEventListener('input', () => { if (!input.value) say(''); });
  // The answer floats over the page: it goes when the box loses focus or the page changes.
  input.addEventListener('blur', () => say(''));
  window.addEventListener('hashchange', () => say(''));
  return h('span', { class: 'trace-id-box' }, input, note);
}
