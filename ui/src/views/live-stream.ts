/**
 * @module ui/views/live-stream: the UI's end of GET /api/live (CONTRACT §7). An EventSource that
 * reports each `traces`/`logs`/`metrics` event and whether the stream is open; the browser
 * reconnects by itself after a cut (the server's `retry`), and the shell polls while it is down.
 */

export interface LiveStream {
  /** Whether events are arriving (the stream is open). */
  connected(): boolean;
  close(): void;
}

const SIGNALS = ['traces', 'logs', 'metrics'] as const;

/** Opens the stream; `onEvent` hears each event's signal, `onState` each open/closed change. */
export function liveStream(onEvent: (signal: string) => void, onState: (connected: boolean) => void): LiveStream {
  if (typeof EventSource === 'undefined') return { connected: () => false, close() {} };
  const es = new EventSource('/api/live', { withCredentials: true });
  let open = false;
  const set = (v: boolean): void => { if (v !== open) { open = v; onState(v); } };
  es.addEventListener('open', () => set(true));
  es.addEventListener('error', () => set(es.readyState === EventSource.OPEN));
  for (const s of SIGNALS) es.addEventListener(s, () => onEvent(s));
  return {
    connected: () => open && es.readyState === EventSource.OPEN,
    close() { es.close(); set(false); },
  };
}
