// Browser test of export and import in the UI (CONTRACT §11): a file dropped onto the page is
// imported with an upload progress bar and the result shown; "Export" on a trace downloads its OTLP
// JSONL, on the traces list the list's filters go along; "Copy for AI" copies a bounded summary.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getJson, startTinyOlly, waitFor, type TinyOllyProcess } from '../helpers/start-tinyolly.js';
import { listFixtures } from '../fixtures/otlp/fixtures.js';
import { hasChromium, launchBrowser, newPage, screenshot, type LaunchedBrowser } from './browser.js';

if (!hasChromium) console.warn('test/ui/import skipped: /usr/bin/chromium is missing (apt-get install chromium)');

/** A JSONL file of `lines` trace requests (one span each) and its text. */
function jsonl(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'dropped-file' } }] }, scopeSpans: [{ spans: [{
      traceId: 'ab' + i.toString(16).padStart(30, '0'), spanId: 'b'.repeat(16), name: `dropped <b>${i}</b>`, kind: 2,
      startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n), endTimeUnixNano: String(1_700_000_000_001_000_000n + BigInt(i) * 1_000_000n),
      attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(1500) } }],
    }] }] }] }));
  }
  return out.join('\n') + '\nthis line is not JSON\n';
}

/** Drops a file with `text` onto the page, as a user dragging it from the desktop would. */
async function dropFile(page: Page, name: string, text: string): Promise<void> {
  const dt = await page.evaluateHandle(({ name, text }) => {
    const d = new DataTransfer();
    d.items.add(new File([text], name, { type: 'application/octet-stream' }));
    return d;
  }, { name, text });
  await page.dispatchEvent('main', 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent('main', 'dragover', { dataTransfer: dt });
  await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
}

describe.skipIf(!hasChromium)('UI: import by drag-and-drop, export, copy for AI', () => {
  let t: TinyOllyProcess;
  let b: LaunchedBrowser;
  let page: Page;
  let errors: string[];
  let dialogs: string[];

  beforeAll(async () => {
    [t, b] = await Promise.all([startTinyOlly(), launchBrowser()]);
    ({ page, errors, dialogs } = await newPage(b.browser));
    await b.browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.baseUrl });
    // Records every upload progress event the page's XMLHttpRequests fire.
    await page.addInitScript(() => {
      const send = XMLHttpRequest.prototype.send;
      (window as unknown as { __progress: number[] }).__progress = [];
      XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
        this.upload.addEventListener('progress', (e) => (window as unknown as { __progress: number[] }).__progress.push(e.loaded));
        return send.call(this, body);
      };
    });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('imports a dropped JSONL file with a progress bar, then shows what was imported and the bad line', async () => {
    await page.goto(`${t.baseUrl}/#/traces`);
    await page.locator('main').waitFor();
    const text = jsonl(3000);
    const cdp = await b.browser.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 2 * 1024 * 1024 });
    await dropFile(page, 'capture.jsonl', text);
    const overlay = page.getByTestId('import-overlay');
    await overlay.waitFor();
    const result = page.getByTestId('import-result');
    await waitFor(async () => (await overlay.getAttribute('data-state')) === 'done', 60_000);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    expect(await result.textContent()).toContain('Imported: 3000 span(s), 0 log(s), 0 metric point(s)');
    expect(await result.textContent()).toContain('line 3001: ');
    expect(await page.getByTestId('import-progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(100);
    const progress = await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBe(Buffer.byteLength(text));
    await screenshot(page, 'import-drop-result');
    expect((await getJson(t.baseUrl, '/api/traces?service=dropped-file&limit=1000')).body.traces).toHaveLength(1000);
    await page.getByRole('button', { name: 'Close' }).click();
    // The list re-queried: the imported traces are shown, their names as text.
    await page.getByText('dropped <b>2999</b>').first().waitFor();
  }, 120_000);

  it('downloads a trace as OTLP JSONL and the filtered traces list as OTLP JSON', async () => {
    const pb = listFixtures().find((f) => f.signal === 'traces' && f.name === 'basic')!;
    await fetch(`${t.otlpHttpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: readFileSync(pb.pbPath) as unknown as BodyInit });
    const traceId = JSON.parse(readFileSync(pb.jsonPath, 'utf8')).resourceSpans[0].scopeSpans[0].spans[0].traceId as string;
    await page.goto(`${t.baseUrl}/#/traces/${traceId}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-button').click()]);
    expect(download.suggestedFilename()).toMatch(/^tinyolly-trace-[0-9a-f]+-.*\.jsonl$/);
    const lines = readFileSync((await download.path())!, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].resourceSpans[0].scopeSpans[0].spans.every((s: { traceId: string }) => s.traceId === traceId.toLowerCase())).toBe(true);

    await page.getByTestId('copy-for-ai').click();
    await waitFor(async () => /Copied/.test((await page.getByTestId('copy-for-ai').textContent()) ?? ''), 10_000);
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    expect(clip).toContain(`Trace ${traceId.toLowerCase()}`);
    expect(clip).toContain('Critical path');
    expect(clip).toContain('OTLP JSON (ExportTraceServiceRequest):\n{"resourceSpans":');

    await page.goto(`${t.baseUrl}/#/traces`);
    await page.getByLabel('Span name').fill('dropped');
    await page.getByLabel('Span name').press('Enter');
    const [list] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-button').click()]);
    expect(list.url()).toContain('name=dropped');
    const doc = JSON.parse(readFileSync((await list.path())!, 'utf8'));
    const names = doc.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans.map((x: any) => x.name)));
    expect(names.length).toBe(3000);
    expect(names.every((n: string) => n.startsWith('dropped'))).toBe(true);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
  }, 120_000);
});
