/**
 * @module store/redis/buckets: receipt-time buckets for aggregates and log data, and the counter
 * field names kept per bucket. A bucket's keys expire when its newest item does, so counts
 * fall as data expires without any sweeping (at most one bucket width late).
 */

/** Bucket width: about 1/120 of the TTL, at least 1 s, so reads touch at most ~122 buckets. */
export function bucketSecondsFor(ttlSeconds: number): number {
  return Math.max(1, Math.ceil(ttlSeconds / 120));
}

/** Bucket arithmetic for one TTL. */
export class Buckets {
  readonly widthSeconds: number;

  constructor(readonly ttlSeconds: number) {
    this.widthSeconds = bucketSecondsFor(ttlSeconds);
  }

  /** The bucket a receipt time (ms) falls in. */
  of(ms: number): number {
    return Math.floor(ms / 1000 / this.widthSeconds);
  }

  /** Unix seconds at which bucket k's keys expire: when its newest item has expired. */
  expireAt(bucket: number): number {
    return (bucket + 1) * this.widthSeconds + this.ttlSeconds + 1;
  }

  /** Buckets that may still hold live items at `nowMs`, oldest first. */
  live(nowMs: number): number[] {
    const first = this.of(nowMs - this.ttlSeconds * 1000);
    const last = this.of(nowMs);
    const out: number[] = [];
    for (let k = first; k <= last; k++) out.push(k);
    return out;
  }
}

/** Counter field names (JSON arrays, so any service name is safe inside them). */
export const FIELD = {
  spans: 'spans',
  logs: 'logs',
  serviceSpans: (svc: string): string => JSON.stringify(['sn', svc]),
  serviceErrors: (svc: string): string => JSON.stringify(['se', svc]),
  serviceLogs: (svc: string): string => JSON.stringify(['sl', svc]),
  serviceRequests: (svc: string): string => JSON.stringify(['rn', svc]),
  serviceRequestErrors: (svc: string): string => JSON.stringify(['re', svc]),
  edgeCalls: (src: string, dst: string): string => JSON.stringify(['en', src, dst]),
  edgeErrors: (src: string, dst: string): string => JSON.stringify(['ee', src, dst]),
};

/** A parsed counter field: [kind, ...names], or undefined for the plain totals. */
export function parseField(field: string): string[] | undefined {
  if (!field.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(field) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}
