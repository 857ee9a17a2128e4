// The UI bundle's budget and CSP hygiene: JS + CSS under 150 KB gzipped, no inline script or style
// in the page, and no HTML-string sinks anywhere in the UI sources (telemetry is shown as text only).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/start-tinyolly.js';

describe('UI bundle', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(path.join(tmpdir(), 'tinyolly-ui-'));
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-ui.mjs'), '--outdir', out], { stdio: 'pipe' });
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds app.js, app.css and index.html, under 150 KB gzipped together', () => {
    const js = readFileSync(path.join(out, 'app.js'));
    const css = readFileSync(path.join(out, 'app.css'));
    const gz = gzipSync(js, { level: 9 }).length + gzipSync(css, { level: 9 }).length;
    console.log(`ui bundle: ${Math.round(js.length / 1024)} KB js + ${Math.round(css.length / 1024)} KB css, ${Math.round(gz / 1024)} KB gzipped`);
    expect(gz).toBeLessThan(150 * 1024);
    expect(css.toString()).toContain('.u-legend'); // uPlot's stylesheet is bundled, not fetched
  });

  it('serves a page with no inline script or style, loading only its own assets', () => {
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module" src="app\.js"><\/script>/);
    expect(html).toMatch(/<link rel="stylesheet" href="app\.css">/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('never builds DOM from HTML strings in the UI sources', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const f = path.join(d, n);
        if (statSync(f).isDirectory()) walk(f);
        else if (/\.ts$/.test(n) && !/\.test\.ts$/.test(n)) files.push(f);
      }
    };
    walk(path.join(ROOT, 'ui', 'src'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      expect(src, f).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|\beval\(|new Function\(/);
    }
  });
});
