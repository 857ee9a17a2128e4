/**
 * @module query/top-k: bounded selection of the best `limit` items of a stream, for list
 * queries that must not sort everything. Pure; knows nothing of the items it ranks.
 */

interface Slot<T> {
  item: T;
  seq: number;
}

/**
 * Keeps the `limit` first items of a stream under `compare` (negative = `a` ranks before `b`),
 * in O(n log limit) comparisons and O(limit) memory, whatever the input order. The result equals
 * a stable sort of everything offered, cut to `limit` (ties keep the item offered first).
 */
export class TopK<T> {
  /** A max-heap on rank: the worst kept item sits at the root. */
  private readonly heap: Slot<T>[] = [];
  private seq = 0;

  constructor(private readonly limit: number, private readonly compare: (a: T, b: T) => number) {}

  private rank(a: Slot<T>, b: Slot<T>): number {
    return this.compare(a.item, b.item) || a.seq - b.seq;
  }

  /** Whether an item ranked like `probe`, offered now, would be kept; lets callers skip costly checks. */
  wouldAccept(probe: T): boolean {
    if (this.limit <= 0) return false;
    // An item offered now comes after every kept one, so a tie with the worst loses.
    return this.heap.length < this.limit || this.compare(probe, this.heap[0].item) < 0;
  }

  /** Offers one item; it is kept only while it ranks among the best `limit`. */
  offer(item: T): void {
    if (!this.wouldAccept(item)) return;
    const slot = { item, seq: this.seq++ };
    const h = this.heap;
    if (h.length < this.limit) {
      h.push(slot);
      let i = h.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.rank(h[i], h[parent]) <= 0) break;
        [h[i], h[parent]] = [h[parent], h[i]];
        i = parent;
      }
      return;
    }
    h[0] = slot;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && this.rank(h[l], h[worst]) > 0) worst = l;
      if (r < h.length && this.rank(h[r], h[worst]) > 0) worst = r;
      if (worst === i) break;
      [h[i], h[worst]] = [h[worst], h[i]];
      i = worst;
    }
  }

  /** The kept items, best first. */
  result(): T[] {
    return [...this.heap].sort((a, b) => this.rank(a, b)).map((s) => s.item);
  }
}
