/**
 * @module test/helpers/fake-store: a memory store whose writes and pings can be made to fail, to
 * drive the 503/429 answers (as the Collector's consumertest sink does with SetConsumeError).
 */
import { TinyOllyError } from '../../src/errors.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/store.js';

export interface FakeStore extends Store {
  /** When set, every write rejects with it and ping() answers false. */
  failWith?: Error;
  /** When set, every write waits for this promise before storing. */
  hold?: Promise<void>;
  writes: number;
}

/** A working store with a switch to fail. */
export function fakeStore(): FakeStore {
  const inner = new MemoryStore({ ttlSeconds: 600, maxSeriesPerMetric: 1000, maxBytes: 64 * 1024 * 1024 });
  const fake = Object.create(inner) as FakeStore;
  fake.writes = 0;
  const guard = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    fake.writes++;
    if (fake.hold) await fake.hold;
    if (fake.failWith) throw fake.failWith;
    return fn.apply(inner, a);
  };
  fake.writeSpans = guard(inner.writeSpans);
  fake.writeLogs = guard(inner.writeLogs);
  fake.writeMetrics = guard(inner.writeMetrics);
  fake.ping = async () => !fake.failWith;
  return fake;
}

export const UNAVAILABLE = () => new TinyOllyError('unavailable', 'store unavailable');
export const OVERLOADED = () => new TinyOllyError('overloaded', 'store overloaded');
