/**
 * @module test/e2e/export-import-big: writes a JSONL file of about `mb` MiB (traces, logs and metric
 * points, one export request per line) for the import memory test.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Writes the file; resolves with the items written per signal. */
export async function writeBigJsonl(file: string, mb: number): Promise<{ spans: number; logs: number; points: number; bytes: number }> {
  const out = createWriteStream(file);
  const target = mb * 1024 * 1024;
  let bytes = 0;
  let spans = 0;
  let logs = 0;
  let points = 0;
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'big-import' } }, { key: 'host.name', value: { stringValue: 'builder-01' } }] };
  for (let line = 0; bytes < target; line++) {
    let doc: unknown;
    const base = 1_700_000_000_000_000_000n + BigInt(line) * 1_000_000n;
    if (line % 10 === 9) {
      const records = Array.from({ length: 100 }, (_, i) => ({
        timeUnixNano: String(base + BigInt(i)), severityNumber: 9, body: { stringValue: `request ${line}/${i} handled in ${i} ms` },
        attributes: [{ key: 'line', value: { intValue: String(line) } }],
      }));
      logs += records.length;
      doc = { resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'big' }, logRecords: records }] }] };
    } else if (line % 10 === 8) {
      const dataPoints = Array.from({ length: 50 }, (_, i) => ({ timeUnixNano: String(base + BigInt(i)), asDouble: i + 0.5, attributes: [{ key: 'k', value: { stringValue: `v${i % 5}` } }] }));
      points += dataPoints.length;
      doc = { resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: 'big' }, metrics: [{ name: 'big.gauge', gauge: { dataPoints } }] }] }] };
    } else {
      const traceId = line.toString(16).padStart(32, '0');
      const list = Array.from({ length: 100 }, (_, i) => ({
        traceId, spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: i === 0 ? '' : '0000000000000001',
        name: `GET /api/items/{id} ${i % 7}`, kind: i === 0 ? 2 : 3,
        startTimeUnixNano: String(base + BigInt(i) * 1000n), endTimeUnixNano: String(base + BigInt(i) * 1000n + 500_000n),
        attributes: [{ key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'http.response.status_code', value: { intValue: '200' } }, { key: 'i', value: { intValue: String(i) } }],
        status: {},
      }));
      spans += list.length;
      doc = { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'big', version: '1' }, spans: list }] }] };
    }
    const text = JSON.stringify(doc) + '\n';
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { spans, logs, points, bytes };
}
