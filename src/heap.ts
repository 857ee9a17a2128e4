/**
 * @module heap: how much garbage V8 may let the TinyOlly process pile up between major GCs.
 *
 * V8 sizes the old generation's next limit as (live bytes after a major GC) × a growing factor that
 * reaches 4 on a machine with several GiB of memory. TinyOlly's live heap is bounded by
 * TINYOLLY_MAX_MEMORY_MB (the memory store counts what it keeps), but a store that is full evicts
 * as fast as it accepts: every evicted item is garbage in old space, and at a factor of 4 a 256 MiB
 * store let RSS reach 1–1.5 GiB in issue 11's soak before V8 collected. A factor of 1.5 holds the
 * heap nearer what is live. It is V8's own flag, read each time V8 recomputes its limits, so it can
 * be set once the process runs (`npm start`, the `tinyolly` command and tests all run main.ts);
 * a `--heap-growing-percent` given to node on the command line wins (Node refuses it in NODE_OPTIONS).
 *
 * Measured on this 2-core machine (issue 11's soak of hostile shapes at the default cap, 5 min): peak
 * RSS 1018 MiB with V8's own factor, 827 at 30 %, 854 at 50 % (3 min); what is left is live data
 * (~350 MiB after a full GC: the store's 256 MiB, the observers, the runtime) and glibc keeping freed
 * request buffers (ARCHITECTURE.md "Not done yet"). `npm run bench`, memory store, alternating: at
 * 30 % the HTTP b100 traces case lost 10–25 % (more major GCs); at 50 % it was 5–16 % lower in two
 * rounds (inside the bench's ±15 % spread here, but lower each time), with peak RSS 446–464 against
 * 480–529 MiB.
 */
import v8 from 'node:v8';

/** Old space may grow to 1.5 × what the last major GC left alive. */
export const HEAP_GROWING_PERCENT = 50;

const FLAG = 'heap-growing-percent';

/** True when the operator already chose a growing factor (node's own flags: `--x`, `-x`, `_` for `-`). */
export function growingFactorChosen(execArgv: readonly string[]): boolean {
  return execArgv.some((arg) => arg.replace(/^--?/, '').replace(/_/g, '-').startsWith(FLAG));
}

/** Applies HEAP_GROWING_PERCENT unless the operator chose one. Returns whether it was applied. */
export function boundHeapGrowth(execArgv: readonly string[]): boolean {
  if (growingFactorChosen(execArgv)) return false;
  v8.setFlagsFromString(`--${FLAG}=${HEAP_GROWING_PERCENT}`);
  return true;
}
