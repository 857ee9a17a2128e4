/**
 * @module live/registry: one LiveHub and one AttributeCatalog per store, subscribed to every
 * ingester writing to it (ingest's observer seam). app.ts creates them at start; the API finds them here.
 */
import { observeStore } from '../ingest/ingester.js';
import type { Store } from '../store/store.js';
import { AttributeCatalog } from './attributes.js';
import { LiveHub } from './hub.js';

export interface Live {
  hub: LiveHub;
  attributes: AttributeCatalog;
}

const lives = new WeakMap<Store, Live>();

/** The store's live hub and attribute catalog, created and subscribed on first use. */
export function liveOf(store: Store, opts: { ttlSeconds?: number; catalogBytes?: number } = {}): Live {
  let l = lives.get(store);
  if (!l) {
    l = { hub: new LiveHub(), attributes: new AttributeCatalog(opts.ttlSeconds ?? 600, Date.now, opts.catalogBytes) };
    lives.set(store, l);
    observeStore(store, l.hub.observer);
    observeStore(store, l.attributes.observer);
  }
  return l;
}
