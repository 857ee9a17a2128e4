/**
 * @module ui/views/doctor: the instrumentation doctor's findings (CONTRACT §9), grouped by
 * severity: rule, title, count, services, the hint, and each example as a link into the trace
 * (with the span selected) or the logs. Telemetry is shown as text nodes only.
 */
import { getDoctor, type DoctorReport } from '../api.js';
import { formatTimestamp } from '../lib/format.js';
import { buildHash } from '../lib/route.js';
import { h, latestOnly, replace } from './dom.js';
import { errorBanner } from './empty-state.js';
import type { View } from './view.js';

const LABEL: Record<string, string> = { error: 'Errors', warning: 'Warnings', info: 'Info' };

function findingCard(f: DoctorReport['findings'][number]): HTMLElement {
  const examples = f.examples.map((e, i) => 'logId' in e
    ? h('a', { href: buildHash('logs', undefined, { service: f.services[0] }), class: 'doctor-example', title: `log ${e.logId}` }, `log ${i + 1}`)
    : h('a', { href: buildHash('trace', e.traceId, { span: e.spanId }), class: 'doctor-example', 'data-testid': 'doctor-example' }, `trace ${e.traceId.slice(0, 8)}…`));
  return h('section', { class: `doctor-finding doctor-${f.severity}`, 'data-testid': 'doctor-finding', 'data-rule': f.rule },
    h('h3', null, h('span', { class: `doctor-sev sev-${f.severity}` }, f.severity.toUpperCase()), ' ', f.title),
    h('div', { class: 'doctor-meta' }, `${f.rule} · ${f.count}× · ${f.services.join(', ')} · last ${formatTimestamp(f.lastSeen * 1000)}`),
    h('p', { class: 'doctor-hint' }, f.hint),
    examples.length ? h('div', { class: 'doctor-examples' }, 'Examples: ', ...examples.flatMap((a) => [a, ' '])) : null);
}

export function doctorView(): View {
  const body = h('div', { class: 'doctor-body' });
  const el = h('div', { class: 'view doctor-view', 'data-testid': 'doctor-view' }, h('h2', null, 'Doctor'), body);
  const loader = latestOnly((err) => replace(body, errorBanner(err)));
  const refresh = () => loader.run(async (signal) => {
    const r = await getDoctor(undefined, signal);
    if (r.findings.length === 0) {
      replace(body, h('p', { class: 'doctor-clean', 'data-testid': 'doctor-clean' }, 'No findings: the instrumentation looks healthy.'));
      return;
    }
    const groups = (['error', 'warning', 'info'] as const).map((sev) => {
      const fs = r.findings.filter((f) => f.severity === sev);
      return fs.length ? h('div', { class: 'doctor-group' }, h('h2', null, `${LABEL[sev]} (${fs.length})`), ...fs.map(findingCard)) : null;
    });
    replace(body, ...groups);
  });
  void refresh();
  return { el, refresh, destroy: () => loader.abort() };
}
