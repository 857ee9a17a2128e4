/**
 * @module ui/lib/format: pure number, duration and time formatting for the UI.
 * Knows nothing of the DOM; every function is total (odd input gives a readable fallback).
 */

/** Nanosecond decimal string → milliseconds (float), keeping precision for 19-digit values. 0 for junk. */
export function nanosToMs(nanos: string | number | null | undefined): number {
  if (nanos === null || nanos === undefined) return 0;
  if (typeof nanos === 'number') return Number.isFinite(nanos) ? nanos / 1e6 : 0;
  if (!/^\d+$/.test(nanos)) return 0;
  const n = nanos.length;
  if (n <= 15) return Number(nanos) / 1e6;
  return Number(nanos.slice(0, n - 6)) + Number(nanos.slice(n - 6)) / 1e6;
}

/**
 * (a - b) in milliseconds for two nanosecond decimal strings, exact to the nanosecond
 * (absolute epoch values do not fit a double at nanosecond precision). 0 when either is junk.
 */
export function nanosDiffMs(a: string, b: string): number {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return 0;
  return Number(BigInt(a) - BigInt(b)) / 1e6;
}

function trim(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/**
 * A duration in milliseconds for humans: `0ms`, `850ns`, `12.3µs`, `4.56ms`, `1.23s`, `2m 5s`, `1h 2m`.
 * Negative or non-finite input → `—`.
 */
export function formatDuration(ms: number): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms === 0) return '0ms';
  if (ms < 0.001) return `${trim(ms * 1e6, 0)}ns`;
  if (ms < 1) return `${trim(ms * 1e3, ms < 0.01 ? 2 : 1)}µs`;
  if (ms < 1000) return `${trim(ms, ms < 10 ? 2 : ms < 100 ? 1 : 0)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${trim(s, 2)}s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return `${m}m ${Math.floor(s - m * 60)}s`;
  }
  const h = Math.floor(s / 3600);
  return `${h}h ${Math.floor((s - h * 3600) / 60)}m`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Unix milliseconds → local `HH:MM:SS.mmm`; with `withDate`, `YYYY-MM-DD HH:MM:SS.mmm`. `—` for junk. */
export function formatClock(unixMs: number, withDate = false): string {
  if (!Number.isFinite(unixMs)) return '—';
  const d = new Date(unixMs);
  if (Number.isNaN(d.getTime())) return '—';
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return withDate ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}` : t;
}

/**
 * The browser's time zone as the UI labels it once (`Europe/Paris, UTC+01:00`): every time the UI
 * shows is local, 24 h, with milliseconds (formatClock).
 */
export function timeZoneLabel(at: Date = new Date()): string {
  const off = -at.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const offset = `UTC${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  let zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone ?? ''; } catch { /* no Intl */ }
  return zone && zone !== 'UTC' ? `${zone}, ${offset}` : offset;
}

/** A full local timestamp for tooltips and details: `YYYY-MM-DD HH:MM:SS.mmm UTC+01:00`. */
export function formatFullTime(unixMs: number): string {
  if (!Number.isFinite(unixMs) || Number.isNaN(new Date(unixMs).getTime())) return '—';
  const off = -new Date(unixMs).getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  return `${formatClock(unixMs, true)} UTC${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

/**
 * A timestamp relative to `nowMs`: today's times as clock time, older ones with their date.
 * Input is unix milliseconds.
 */
export function formatTimestamp(unixMs: number, nowMs: number = Date.now()): string {
  if (!Number.isFinite(unixMs)) return '—';
  const sameDay = new Date(unixMs).toDateString() === new Date(nowMs).toDateString();
  return formatClock(unixMs, !sameDay);
}

/** "3s ago", "5m ago", "2h ago", "4d ago"; future times read "just now". */
export function formatAgo(unixMs: number, nowMs: number = Date.now()): string {
  if (!Number.isFinite(unixMs)) return '—';
  const s = Math.floor((nowMs - unixMs) / 1000);
  if (s < 2) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/**
 * A metric value: integers with thousands separators, others with 3 significant decimals,
 * large or tiny magnitudes in exponent form. Accepts the API's "NaN"/"Infinity" strings.
 */
export function formatValue(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v === 'Infinity' ? '∞' : v === '-Infinity' ? '-∞' : v;
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e15 || a < 1e-4)) return v.toExponential(2);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (a >= 1000) return v.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return String(Number(v.toPrecision(4)));
}

/** Compact count: 999, 1.2k, 3.4M. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  if (a < 1e6) return `${trim(n / 1e3, a < 1e4 ? 1 : 0)}k`;
  if (a < 1e9) return `${trim(n / 1e6, a < 1e7 ? 1 : 0)}M`;
  return `${trim(n / 1e9, 1)}G`;
}

/** A percentage of part/total, `0%` for an empty total. */
export function formatPercent(part: number, total: number): string {
  if (!total || !Number.isFinite(part / total)) return '0%';
  const p = (part / total) * 100;
  return `${trim(p, p < 10 ? 1 : 0)}%`;
}

/** Shortens an id for display: first 8 hex … last 4, unchanged when short. */
export function shortId(id: string): string {
  return id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}
