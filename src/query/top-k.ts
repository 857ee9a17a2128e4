/**
 * @module query/top-k: bounded selection of the best `limit` items of a stream, for list
 * queries that must not sort everything. Pure; knows nothing of the items it ranks.
 */

/**
 * Keeps the `limit` first items of a stream under `compare` (negative = `a` ranks before `b`),
 * in O(n log limit) comparisons and O(limit) memory. Ties keep the item offered first.
 */
export class TopK<T> {
  private readonly items: T[] = [];

  constructor(private readonly limit: number, private readonly compare: (a: T, b: T) => number) {}

  /** Whether an item ranked like `probe` would be kept; lets callers skip building costly items. */
  wouldAccept(probe: T): boolean {
    if (this.limit <= 0) return false;
    return this.items.length < this.limit || this.compare(probe, this.items[this.items.length - 1]) < 0;
  }

  /** Offers one item; it is kept only while it ranks among the best `limit`. */
  offer(item: T): void {
    if (!this.wouldAccept(item)) return;
    // Binary search for the first position whose item ranks strictly after `item`.
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid], item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, item);
    if (this.items.length > this.limit) this.items.pop();
  }

  /** The kept items, best first (the internal array: take it once, at the end). */
  result(): T[] {
    return this.items;
  }
}
