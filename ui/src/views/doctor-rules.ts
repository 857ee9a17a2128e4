/**
 * @module ui/views/doctor-rules: the doctor's rules the reader switched off (remembered in
 * localStorage, sent as GET /api/doctor?disable=), the findings' count per service for the Services
 * page's badge, and the mark a finding's deep link puts on the offending span attribute or log row.
 */
import { getDoctor, type DoctorReport } from '../api.js';
import { buildHash } from '../lib/route.js';
import { h } from './dom.js';

const KEY = 'tinyolly.doctor.disabled';
const RULE_ID = /^[a-z0-9-]{1,64}$/;

/** The rule ids switched off in this browser. */
export function disabledRules(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && RULE_ID.test(x)).slice(0, 64) : [];
  } catch { return []; }
}

/** Switches one rule on or off (remembered). */
export function setRuleEnabled(rule: string, enabled: boolean): void {
  const off = new Set(disabledRules());
  if (enabled) off.delete(rule); else off.add(rule);
  try { localStorage.setItem(KEY, JSON.stringify([...off])); } catch { /* private mode: for this page only */ }
}

/** GET /api/doctor without this browser's switched-off rules. */
export function getDoctorReport(service?: string, signal?: AbortSignal): Promise<DoctorReport> {
  return getDoctor(service, signal, disabledRules());
}

/** Findings per service (a finding naming several services counts for each). */
export function findingsByService(r: DoctorReport): Map<string, { count: number; worst: string }> {
  const rank: Record<string, number> = { error: 0, warning: 1, info: 2 };
  const out = new Map<string, { count: number; worst: string }>();
  for (const f of r.findings) {
    for (const s of f.services) {
      const e = out.get(s) ?? { count: 0, worst: 'info' };
      e.count++;
      if (rank[f.severity] < rank[e.worst]) e.worst = f.severity;
      out.set(s, e);
    }
  }
  return out;
}

/** The Services page's badge: how many doctor findings name the service, linking to them. */
export function doctorBadge(service: string, e: { count: number; worst: string } | undefined): HTMLElement | null {
  if (!e) return null;
  const a = h('a', { href: buildHash('doctor', undefined, { service }), class: `doctor-badge sev-${e.worst}`, 'data-testid': 'doctor-badge',
    title: `${e.count} doctor finding${e.count === 1 ? '' : 's'} for ${service}` }, `⚕ ${e.count}`);
  a.addEventListener('click', (ev) => ev.stopPropagation());
  return a;
}

/** The link of one example: the span (with the attribute at fault) in the trace view, or the log in the logs view. */
export function exampleHref(e: DoctorReport['findings'][number]['examples'][number]): string {
  return 'logId' in e ? buildHash('logs', undefined, { log: e.logId }) : buildHash('trace', e.traceId, { span: e.spanId, attr: e.attribute });
}

/**
 * Marks the attribute `key` in a span-details panel (scrolled into view); when the span has no such
 * attribute (a missing http.route), says so above the attributes instead.
 */
export function markAttribute(panel: HTMLElement, key: string): void {
  const table = panel.querySelector('[data-testid="span-attributes"]');
  const row = Array.from(panel.querySelectorAll('[data-testid="span-attributes"] tr')).find((tr) => tr.querySelector('th')?.getAttribute('title') === key);
  if (row) {
    row.classList.add('attr-highlight');
    row.setAttribute('data-testid', 'attr-highlight');
    row.scrollIntoView({ block: 'nearest' });
    return;
  }
  table?.prepend(h('div', { class: 'attr-highlight attr-missing', 'data-testid': 'attr-highlight' }, `Doctor: this span has no ${key}`));
}

/** Marks the log row `logId` in a log list (when it is among the rows shown). */
export function markLog(list: HTMLElement, logId: string): void {
  for (const row of Array.from(list.querySelectorAll<HTMLElement>('[data-log-id]'))) {
    const on = row.dataset.logId === logId;
    row.classList.toggle('log-highlight', on);
    if (on) row.setAttribute('data-highlight', 'true');
  }
}
