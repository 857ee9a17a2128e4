/**
 * @module doctor/registry: one Doctor per store, subscribed to every ingester writing to it
 * (ingest's observer seam). app.ts creates it with the configured limits; the API finds it here.
 */
import { observeStore } from '../ingest/ingester.js';
import type { Store } from '../store/store.js';
import { Doctor, type DoctorOptions } from './doctor.js';

const doctors = new WeakMap<Store, Doctor>();

/** The store's doctor, created (with `opts`) and subscribed on first use. */
export function doctorOf(store: Store, opts: DoctorOptions = {}): Doctor {
  let d = doctors.get(store);
  if (!d) {
    d = new Doctor(opts);
    doctors.set(store, d);
    observeStore(store, d.observer);
  }
  return d;
}
