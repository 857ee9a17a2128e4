/**
 * @module ui/views/first-run: the first-run checklist (issue 15, CONTRACT §8) shown while nothing has
 * arrived: the endpoints and env vars to copy, what the ingest inspector saw so far (refused requests
 * with their hints), and "Send a test span": the browser exports one span as OTLP/JSON to
 * `POST /v1/traces` on its own origin (the UI port takes ingest, CONTRACT §6) and then polls the
 * trace until it is stored. With TINYOLLY_OTLP_API_KEY set the first try answers 401: the panel then
 * asks for the key, keeps it in memory only (never stored) and sends it as `x-otlp-api-key`.
 * One panel per page load, reused by every empty state, so a refresh keeps its progress.
 */
import { getIngestRequests, getTraceDoc, type IngestRequest } from '../api.js';
import { copyButton, h, replace } from './dom.js';
import { state } from './state.js';

/** The service name of the test span (also what the Ingest page shows for it). */
export const TEST_SPAN_SERVICE = 'tinyolly-test-span';

function hex(bytes: number): string {
  const a = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** One INTERNAL span in OTLP/JSON (an INTERNAL span draws no HTTP findings from the doctor). */
export function testSpanRequest(traceId: string, spanId: string, nowMs: number): object {
  const end = BigInt(Math.round(nowMs)) * 1_000_000n;
  const start = end - 5_000_000n;
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  return {
    resourceSpans: [{
      resource: { attributes: [str('service.name', TEST_SPAN_SERVICE), str('telemetry.sdk.name', 'tinyolly-ui')] },
      scopeSpans: [{
        scope: { name: 'tinyolly.first-run' },
        spans: [{ traceId, spanId, name: 'test span', kind: 1, startTimeUnixNano: String(start), endTimeUnixNano: String(end),
          attributes: [str('tinyolly.test', 'sent from the browser by "Send a test span"')], status: {} }],
      }],
    }],
  };
}

function line(text: string): HTMLElement {
  return h('div', { class: 'code-line' }, h('code', null, text), copyButton(text, 'Copy command'));
}

function seenList(reqs: IngestRequest[]): HTMLElement {
  if (reqs.length === 0) return h('p', { class: 'muted', 'data-testid': 'first-run-seen' }, 'No OTLP request has reached TinyOlly yet: the exporter is not pointed here, or cannot reach this host and port.');
  const refused = reqs.filter((r) => r.result === 'refused');
  return h('div', { 'data-testid': 'first-run-seen' },
    h('p', null, `TinyOlly received ${reqs.length} request${reqs.length === 1 ? '' : 's'}, ${refused.length} refused.`,
      ' ', h('a', { href: '#/ingest' }, 'Open the Ingest page')),
    refused.length ? h('ul', { class: 'first-run-refused' }, ...refused.slice(0, 5).map((r) =>
      h('li', { 'data-testid': 'first-run-refused' }, h('code', null, `${r.status} ${r.path}`), ' ', r.hint ?? r.reason ?? ''))) : null);
}

interface Panel { el: HTMLElement; refresh(): void; status: HTMLElement; sent: boolean }
let panel: Panel | undefined;

/**
 * The test span's status line once "Send a test span" was pressed on this page, else null. The
 * span's arrival ends the empty state the checklist sits in, so the traces list shows this line
 * above itself: the confirmation and its "Open it" link do not vanish with the checklist.
 */
export function testSpanNotice(): HTMLElement | null {
  return panel?.sent ? panel.status : null;
}

/** The checklist panel (one per page); each call refreshes what the inspector saw. */
export function firstRunChecklist(): HTMLElement {
  panel ??= createPanel();
  panel.refresh();
  return panel.el;
}

function createPanel(): Panel {
  const endpoints = h('div', { class: 'first-run-endpoints' });
  const seen = h('div', { class: 'first-run-step' }, h('p', { class: 'muted' }, 'Asking the ingest inspector…'));
  const status = h('p', { class: 'first-run-status', 'data-testid': 'test-span-status', role: 'status' });
  const keyInput = h('input', { type: 'password', name: 'otlp-api-key', placeholder: 'TINYOLLY_OTLP_API_KEY', autocomplete: 'off', 'aria-label': 'OTLP API key', 'data-testid': 'test-span-key' });
  const keyRow = h('label', { class: 'first-run-key', hidden: true }, 'This TinyOlly needs its OTLP API key (TINYOLLY_OTLP_API_KEY); it is sent once as x-otlp-api-key and kept nowhere: ', keyInput);
  const button = h('button', { type: 'button', class: 'btn', 'data-testid': 'send-test-span' }, 'Send a test span');
  let busy = false;

  const send = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    if (panel) panel.sent = true;
    button.disabled = true;
    const traceId = hex(16);
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (keyInput.value) headers['x-otlp-api-key'] = keyInput.value;
      replace(status, 'Sending one span to POST /v1/traces on this origin…');
      let res: Response;
      try {
        res = await fetch('/v1/traces', { method: 'POST', headers, body: JSON.stringify(testSpanRequest(traceId, hex(8), Date.now())), credentials: 'same-origin' });
      } catch {
        replace(status, 'The request did not reach TinyOlly (is it still running?).');
        return;
      }
      if (res.status === 401) {
        keyRow.hidden = false;
        keyInput.focus();
        replace(status, keyInput.value ? 'The key was refused (401): check TINYOLLY_OTLP_API_KEY.' : 'Refused (401): this TinyOlly needs its OTLP API key; enter it above and send again.');
        return;
      }
      if (!res.ok) { replace(status, `Refused: ${res.status} ${(await res.text()).slice(0, 200)}`); return; }
      replace(status, 'Sent (200). Waiting for it to be stored…');
      for (let i = 0; i < 60; i++) {
        const doc = await getTraceDoc(traceId).catch(() => undefined);
        if (doc && doc.spans.length) {
          replace(status, '✓ The test span arrived: the round trip works. ', h('a', { href: `#/traces/${traceId}`, 'data-testid': 'test-span-link' }, 'Open it'));
          status.dataset.arrived = 'true';
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      replace(status, 'Accepted, but not found by GET /api/traces after 30 s.');
    } finally {
      busy = false;
      button.disabled = false;
      panel?.refresh();
    }
  };
  button.addEventListener('click', () => void send());

  const el = h('div', { class: 'first-run', 'data-testid': 'first-run' },
    h('h3', null, 'Getting data in: a checklist'),
    h('ol', { class: 'first-run-steps' },
      h('li', null, h('strong', null, 'Point the exporter here. '), endpoints),
      h('li', null, h('strong', null, 'Name the service: '), line('export OTEL_SERVICE_NAME=my-service')),
      h('li', null, h('strong', null, 'What TinyOlly saw so far: '), seen),
      h('li', null, h('strong', null, 'Check the round trip from this browser: '), button, keyRow, status)));
  const statusHome = status.parentElement!;

  const refresh = (): void => {
    // Back from the traces list's notice (see testSpanNotice) when the checklist shows again.
    if (status.parentElement !== statusHome) statusHome.append(status);
    const httpPort = state.stats?.otlpHttpPort ?? 4318;
    const grpcPort = state.stats?.grpcPort ?? 4317;
    replace(endpoints,
      h('p', { class: 'muted' }, `OTLP/HTTP on port ${httpPort} (and on this UI's port), OTLP/gRPC on port ${grpcPort}.`),
      line(`export OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:${httpPort}`),
      line('export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf'),
      h('p', { class: 'muted' }, `gRPC instead: OTEL_EXPORTER_OTLP_PROTOCOL=grpc and OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:${grpcPort}. With TINYOLLY_OTLP_API_KEY set: OTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=<key>.`));
    getIngestRequests({ limit: 50 }).then((reqs) => replace(seen, seenList(reqs)), () => replace(seen, h('p', { class: 'muted' }, 'The ingest inspector did not answer.')));
  };
  return { el, refresh, status, sent: false };
}
