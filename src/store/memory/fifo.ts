/**
 * @module store/memory/fifo: a FIFO of write batches, the unit of TTL expiry and of
 * oldest-first eviction. Knows nothing of what the items are; the store removes them.
 */

/** One write: its items in write order, their estimated sizes, and how many were already removed. */
export interface Batch<T> {
  /** Global write sequence (orders batches across signals). */
  seq: number;
  /** Write time, ms on the store's clock. */
  writtenAt: number;
  items: T[];
  sizes: number[];
  /** Index of the first item not yet removed. */
  head: number;
  /** Items taken out before their turn (replaced spans; their slots hold undefined). */
  replaced?: number;
  /** Items left when the batch's bytes were last compacted. */
  compactedAt?: number;
}

/** A queue of batches, oldest first, with O(1) amortised push and shift. */
export class BatchQueue<T> {
  private batches: Batch<T>[] = [];
  private start = 0;

  /** Appends a batch (callers push in write order). */
  push(batch: Batch<T>): void {
    this.batches.push(batch);
  }

  /** The oldest batch still holding items, or undefined. */
  peek(): Batch<T> | undefined {
    return this.start < this.batches.length ? this.batches[this.start] : undefined;
  }

  /** Drops the oldest batch. */
  shift(): void {
    if (this.start >= this.batches.length) return;
    this.batches[this.start++] = undefined as unknown as Batch<T>;
    // Compact now and then so the array does not grow without bound.
    if (this.start > 1024 && this.start * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.start);
      this.start = 0;
    }
  }

  /** Calls `fn` on every item not yet removed, newest first. */
  forEachNewestFirst(fn: (item: T) => void): void {
    for (let b = this.batches.length - 1; b >= this.start; b--) {
      const batch = this.batches[b];
      for (let i = batch.items.length - 1; i >= batch.head; i--) if (batch.items[i] !== undefined) fn(batch.items[i]);
    }
  }

  /** Removes everything. */
  clear(): void {
    this.batches = [];
    this.start = 0;
  }
}
