/**
 * @module ui/lib/colors: a stable colour per service name and per severity. Pure.
 * The palette reads well on both the dark and the light theme.
 */

/** Twelve hues distinguishable on dark and light backgrounds. */
export const SERVICE_PALETTE = [
  '#4e9af1', '#f5a524', '#3fb68b', '#e5604d', '#a77bf3', '#2cb5c0',
  '#e06fb0', '#8fb339', '#d98e48', '#6c8cd5', '#c9a227', '#5fa8a0',
] as const;

/** FNV-1a hash of a string (32-bit, unsigned). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The same colour for the same service name, everywhere in the UI. */
export function serviceColor(service: string): string {
  return SERVICE_PALETTE[hashString(service) % SERVICE_PALETTE.length];
}

export type SeverityClass = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unset';

/** Severity class from severityNumber (OTLP ranges), falling back to the text. */
export function severityClass(num: number, text: string): SeverityClass {
  if (num >= 21) return 'fatal';
  if (num >= 17) return 'error';
  if (num >= 13) return 'warn';
  if (num >= 9) return 'info';
  if (num >= 5) return 'debug';
  if (num >= 1) return 'trace';
  const t = (text || '').toUpperCase();
  if (t.startsWith('FATAL') || t.startsWith('CRIT')) return 'fatal';
  if (t.startsWith('ERR')) return 'error';
  if (t.startsWith('WARN')) return 'warn';
  if (t.startsWith('INFO')) return 'info';
  if (t.startsWith('DEBUG')) return 'debug';
  if (t.startsWith('TRACE')) return 'trace';
  return 'unset';
}
