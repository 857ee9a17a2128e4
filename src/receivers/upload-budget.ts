/**
 * @module receivers/upload-budget: one bound on the request bytes held at once across every OTLP
 * listener and transport (bodies being received, then their inflated form while decoded). Both
 * receivers take a reservation as bytes arrive, before they are buffered, and refuse beyond the
 * bound as overloaded (429 / RESOURCE_EXHAUSTED with RetryInfo: the sender retries later).
 */

/** The bytes one request holds in the budget; release() is idempotent. */
export interface UploadReservation {
  /** Adds `bytes` to this request's share; false (and nothing added) when the budget is spent. */
  grow(bytes: number): boolean;
  /** Gives this request's share back (its answer was sent or it went away). */
  release(): void;
  readonly bytes: number;
}

/** Shared by all listeners of one TinyOlly. */
export class UploadBudget {
  private usedBytes = 0;

  /** `maxBytes`: bytes held at once by all requests together. */
  constructor(readonly maxBytes: number) {}

  /** Bytes currently reserved by all requests. */
  get used(): number {
    return this.usedBytes;
  }

  /**
   * A new, empty reservation. A request alone in the budget is always admitted (a bound smaller than
   * one body would otherwise refuse it for ever); with others in flight it fits under `maxBytes`.
   */
  reserve(): UploadReservation {
    let mine = 0;
    let released = false;
    return {
      grow: (bytes: number): boolean => {
        if (released) return false;
        const others = this.usedBytes - mine;
        if (others > 0 && this.usedBytes + bytes > this.maxBytes) return false;
        mine += bytes;
        this.usedBytes += bytes;
        return true;
      },
      release: (): void => {
        if (released) return;
        released = true;
        this.usedBytes -= mine;
        mine = 0;
      },
      get bytes() { return mine; },
    };
  }
}
