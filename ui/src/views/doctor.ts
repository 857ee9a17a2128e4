/**
 * @module ui/views/doctor: the instrumentation doctor's findings (CONTRACT §9), grouped by
 * severity: rule, title, count, services, the hint, and each example as a link into the trace
 * (with the span selected and the attribute at fault marked) or the logs (the log marked). The
 * rules can be switched off (remembered in this browser); `#/doctor?service=` keeps one service's
 * findings. Telemetry is shown as text nodes only.
 */
import type { DoctorReport } from '../api.js';
import { formatTimestamp } from '../lib/format.js';
import { buildHash, type Route } from '../lib/route.js';
import { h, latestOnly, replace } from './dom.js';
import { disabledRules, exampleHref, getDoctorReport, setRuleEnabled } from './doctor-rules.js';
import { errorBanner } from './empty-state.js';
import type { View } from './view.js';

const LABEL: Record<string, string> = { error: 'Errors', warning: 'Warnings', info: 'Info' };

function findingCard(f: DoctorReport['findings'][number]): HTMLElement {
  const examples = f.examples.map((e, i) => 'logId' in e
    ? h('a', { href: exampleHref(e), class: 'doctor-example', 'data-testid': 'doctor-example', title: `log ${e.logId}` }, `log ${i + 1}`)
    : h('a', { href: exampleHref(e), class: 'doctor-example', 'data-testid': 'doctor-example', title: e.attribute ? `span ${e.spanId}, ${e.attribute}` : `span ${e.spanId}` }, `trace ${e.traceId.slice(0, 8)}…`));
  return h('section', { class: `doctor-finding doctor-${f.severity}`, 'data-testid': 'doctor-finding', 'data-rule': f.rule },
    h('h3', null, h('span', { class: `doctor-sev sev-${f.severity}` }, f.severity.toUpperCase()), ' ', f.title),
    h('div', { class: 'doctor-meta' }, `${f.rule} · ${f.count}× · ${f.services.join(', ')} · last ${formatTimestamp(f.lastSeen * 1000)}`),
    h('p', { class: 'doctor-hint' }, f.hint),
    examples.length ? h('div', { class: 'doctor-examples' }, 'Examples: ', ...examples.flatMap((a) => [a, ' '])) : null);
}

/** The rule table with a switch per rule (switched-off rules are remembered in localStorage). */
function ruleSwitches(r: DoctorReport, onChange: () => void): HTMLElement {
  return h('details', { class: 'doctor-rules', 'data-testid': 'doctor-rules' },
    h('summary', null, `Rules (${r.rules.filter((x) => !x.enabled).length} switched off)`),
    h('ul', null, ...r.rules.map((rule) => {
      const box = h('input', { type: 'checkbox', checked: rule.enabled, 'data-testid': 'doctor-rule-switch', 'data-rule': rule.rule, 'aria-label': `Rule ${rule.rule}` });
      box.addEventListener('change', () => { setRuleEnabled(rule.rule, box.checked); onChange(); });
      return h('li', null, h('label', null, box, ' ', h('code', null, rule.rule), ` (${rule.severity}) ${rule.title}`));
    })));
}

export function doctorView(route?: Route): View {
  let service = route?.query.service || undefined;
  const body = h('div', { class: 'doctor-body' });
  const rulesHost = h('div', { class: 'doctor-rules-host' });
  const el = h('div', { class: 'view doctor-view', 'data-testid': 'doctor-view' }, h('h2', null, 'Doctor'), body, rulesHost);
  const loader = latestOnly((err) => replace(body, errorBanner(err)));
  let rulesOpen = false;
  const refresh = () => loader.run(async (signal) => {
    const r = await getDoctorReport(service, signal);
    rulesOpen = rulesHost.querySelector('details')?.open ?? rulesOpen;
    const switches = ruleSwitches(r, () => void refresh());
    (switches as HTMLDetailsElement).open = rulesOpen;
    replace(rulesHost, switches);
    const scope = service ? h('p', { class: 'doctor-scope muted', 'data-testid': 'doctor-scope' }, `Findings that involve ${service}. `, h('a', { href: buildHash('doctor') }, 'All services')) : null;
    const off = disabledRules().length;
    if (r.findings.length === 0) {
      replace(body, scope, h('p', { class: 'doctor-clean', 'data-testid': 'doctor-clean' }, `No findings: the instrumentation looks healthy${off ? ` (${off} rule${off === 1 ? '' : 's'} switched off)` : ''}.`));
      return;
    }
    const groups = (['error', 'warning', 'info'] as const).map((sev) => {
      const fs = r.findings.filter((f) => f.severity === sev);
      return fs.length ? h('div', { class: 'doctor-group' }, h('h2', null, `${LABEL[sev]} (${fs.length})`), ...fs.map(findingCard)) : null;
    });
    replace(body, scope, ...groups);
  });
  void refresh();
  return {
    el, refresh, destroy: () => loader.abort(),
    update(r) {
      if (r.view !== 'doctor') return false;
      const next = r.query.service || undefined;
      if (next !== service) { service = next; void refresh(); }
      return true;
    },
  };
}
