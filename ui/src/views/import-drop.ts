/**
 * @module ui/views/import-drop: drag-and-drop of an OTLP file (OTLP/JSON, JSONL, protobuf, gzip of
 * any) anywhere onto the page imports it through POST /api/import, with an upload progress bar and
 * then the result (imported, rejected, errors by line). Telemetry-derived text goes in as text nodes.
 */
import { importFile, type ImportAnswer } from '../api.js';
import { h, replace } from './dom.js';
import '../styles/import-drop.css';

/** A protobuf file's signal, from its name (traces.pb, my-logs.binpb.gz…); undefined for JSON files. */
export function protobufSignalOf(name: string): string | undefined {
  if (!/\.(pb|binpb)(\.gz)?$/i.test(name)) return undefined;
  const m = /(trace|log|metric)/i.exec(name);
  return m ? `${m[1].toLowerCase()}s` : 'traces';
}

function counts(c: ImportAnswer['imported']): string {
  return c ? `${c.spans} span(s), ${c.logs} log(s), ${c.points} metric point(s)` : '—';
}

/** Installs the drop target on `root`; `imported` runs after an import so the page re-queries. */
export function installImportDrop(root: HTMLElement, imported: () => void): void {
  const bar = h('progress', { class: 'import-progress', max: '100', value: '0', 'data-testid': 'import-progress' });
  const label = h('div', { class: 'import-label', 'data-testid': 'import-label' });
  const result = h('div', { class: 'import-result', 'data-testid': 'import-result' });
  const close = h('button', { class: 'btn', type: 'button' }, 'Close');
  const panel = h('div', { class: 'import-panel', role: 'dialog', 'aria-label': 'Import' },
    h('h2', null, 'Import OTLP file'), label, bar, result, h('div', { class: 'import-actions' }, close));
  const overlay = h('div', { class: 'import-overlay', 'data-testid': 'import-overlay', hidden: true }, panel);
  const hint = h('div', { class: 'drop-hint', hidden: true }, 'Drop an OTLP file (JSON, JSONL, protobuf, gzip) to import it');
  close.addEventListener('click', () => { overlay.hidden = true; });
  root.append(overlay, hint);

  let depth = 0;
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  window.addEventListener('dragenter', (e) => { if (!hasFiles(e)) return; depth++; hint.hidden = false; });
  window.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (depth === 0) hint.hidden = true; });
  window.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
  window.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    hint.hidden = true;
    const file = e.dataTransfer?.files[0];
    if (file) void run(file);
  });

  const run = async (file: File): Promise<void> => {
    overlay.hidden = false;
    overlay.dataset.state = 'uploading';
    bar.value = 0;
    bar.hidden = false;
    label.textContent = `Importing ${file.name} (${(file.size / 1024 / 1024).toFixed(1)} MiB)…`;
    result.replaceChildren();
    close.disabled = true;
    try {
      const { status, answer } = await importFile(file, {
        protobufSignal: protobufSignalOf(file.name),
        onProgress: (loaded, total) => {
          bar.value = total > 0 ? Math.round((loaded / total) * 100) : 0;
          label.textContent = `Uploading ${file.name}: ${Math.round((loaded / Math.max(1, total)) * 100)} %`;
          if (loaded >= total) label.textContent = `Importing ${file.name}: storing…`;
        },
      });
      bar.value = 100;
      const errors = answer.errors ?? [];
      label.textContent = status === 200 ? `Imported ${file.name}` : `Import of ${file.name} failed (${status})`;
      replace(result,
        answer.error ? h('p', { class: 'err-text' }, answer.error) : null,
        h('p', null, h('strong', null, 'Imported: '), counts(answer.imported)),
        h('p', null, h('strong', null, 'Rejected: '), counts(answer.rejected)),
        errors.length ? h('div', null, h('strong', null, `Errors (${errors.length + (answer.errorsOmitted ?? 0)}):`),
          h('ul', { class: 'import-errors' }, ...errors.slice(0, 50).map((er) => h('li', null, er.line === null ? 'body: ' : `line ${er.line}: `, er.message)))) : null);
      overlay.dataset.state = status === 200 ? 'done' : 'failed';
      imported();
    } catch (err) {
      label.textContent = `Import of ${file.name} failed`;
      replace(result, h('p', { class: 'err-text' }, (err as Error).message));
      overlay.dataset.state = 'failed';
    } finally {
      close.disabled = false;
    }
  };
}
