/**
 * @module heap: how much garbage V8 may let the TinyOlly process pile up between major GCs, and how
 * big its young generation may grow (below, boundYoungGeneration).
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
import { PerformanceObserver } from 'node:perf_hooks';
import { DEFAULT_CONFIG } from './config.js';

/** Old space may grow to 1.5 × what the last major GC left alive. */
export const HEAP_GROWING_PERCENT = 50;

const FLAG = 'heap-growing-percent';

/** True when the operator already chose a growing factor (node's own flags: `--x`, `-x`, `_` for `-`). */
export function growingFactorChosen(execArgv: readonly string[]): boolean {
  return execArgv.some((arg) => arg.replace(/^--?/, '').replace(/_/g, '-').startsWith(FLAG));
}

/** Applies a growing factor (HEAP_GROWING_PERCENT by default) unless the operator chose one. Returns whether it was applied. */
export function boundHeapGrowth(execArgv: readonly string[], percent = HEAP_GROWING_PERCENT): boolean {
  if (growingFactorChosen(execArgv)) return false;
  v8.setFlagsFromString(`--${FLAG}=${percent}`);
  return true;
}

/**
 * The young generation's semi-spaces may grow to this many MiB (V8's own maximum on 64-bit is 16).
 * Loading the server's modules alone grows them to the maximum, and V8 never gives that back, even
 * idle: 32 MiB of the idle process's ~100 MiB RSS. Measured on this 2-core machine (issue 11):
 * idle RSS ~100 → ~80 MiB; the 4 KB-description metric shape at a 32 MiB cap peaks ~12 MiB lower.
 */
export const SEMI_SPACE_MB = 8;

/** The memory store's default cap (CONTRACT §1.2), for which the two defaults above were measured. */
const DEFAULT_CAP_MB = DEFAULT_CONFIG.maxMemoryMb;

/**
 * The heap's tuning for a memory cap. At the default cap, and with the Redis store (whose data is not
 * in this process), the defaults above. Below it, the runtime's headroom is a larger share of RSS than
 * the store's own bytes, so old space may grow to 1.25 x what is live and the young generation keeps
 * its start-up size (1 MiB semi-spaces: steering it to any larger target can overshoot, V8 growing it
 * twice inside one synchronous stretch before the observer runs, 1 -> 4 -> 16 MiB).
 * Measured on this 2-core machine (issue 11's goal test at a 32 MiB cap, peak RSS MiB): 4 KB metric
 * descriptions 168-182 with the defaults, 142-145 with this; 120k distinct spans 183-191 with the
 * defaults, 163-202 with 4 MiB semi-spaces, 156-162 with this.
 * The price is ingest speed at such a cap: about a third (bench at 32 MiB, spans over gRPC 92-95k -> 59-65k/s,
 * metric points 128-149k -> 80-92k/s); old space at 1.5 x with these semi-spaces takes that shape to 174-176.
 */
export function heapTuningFor(capMb: number, storage: 'memory' | 'redis'): { growingPercent: number; semiSpaceMb: number } {
  if (storage !== 'memory' || capMb >= DEFAULT_CAP_MB) return { growingPercent: HEAP_GROWING_PERCENT, semiSpaceMb: SEMI_SPACE_MB };
  return { growingPercent: 25, semiSpaceMb: 1 };
}

const YOUNG_FLAGS = ['max-semi-space-size', 'min-semi-space-size', 'semi-space-growth-factor'];
const MIB = 1024 * 1024;

/** True when the operator sized the young generation (node's command line or NODE_OPTIONS, which accepts these flags). */
export function youngGenerationChosen(execArgv: readonly string[]): boolean {
  return execArgv.some((arg) => { const name = arg.replace(/^--?/, '').replace(/_/g, '-'); return YOUNG_FLAGS.some((f) => name.startsWith(f)); });
}

/** The growth factor that takes semi-spaces of `semiBytes` to at most `targetBytes` in one step (1: no growth). */
export function growthFactorFor(semiBytes: number, targetBytes: number): number {
  return Math.max(1, Math.floor(targetBytes / Math.max(1, semiBytes)));
}

/**
 * One semi-space's capacity, from V8's heap space statistics: what new space holds plus what it can
 * still take. Not half of `space_size`: that is committed memory, which is one semi-space, not two,
 * once V8 has uncommitted the idle one (the factor would then come out twice too big).
 */
export function semiSpaceCapacity(spaces: readonly v8.HeapSpaceInfo[]): number {
  const space = spaces.find((s) => s.space_name === 'new_space');
  return space ? space.space_used_size + space.space_available_size : 0;
}

/**
 * Holds the young generation at `semiSpaceMb` (SEMI_SPACE_MB by default), unless the operator sized it. V8 reads its growth
 * factor each time it grows new space, but fixes the maximum at start-up: so growth stops now (call
 * this before loading the server, whose loading would grow it to V8's maximum), and the returned
 * function, called once the server runs, lets it grow to the target in one step and stops it there.
 * The factor is recomputed after every GC (a `gc` performance observer: an idle process is not woken;
 * V8 may shrink new space when allocation is slow, and the next GC lets it grow back). A second growth
 * inside one long synchronous stretch (more than the target surviving two scavenges before the
 * observer runs) takes it to V8's own maximum, as without this. Returns a function that stops steering.
 */
export function boundYoungGeneration(execArgv: readonly string[], semiSpaceMb = SEMI_SPACE_MB): (() => () => void) | undefined {
  if (youngGenerationChosen(execArgv)) return undefined;
  let factor = 1;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  const steer = () => {
    const next = growthFactorFor(semiSpaceCapacity(v8.getHeapSpaceStatistics()), semiSpaceMb * MIB);
    if (next !== factor) v8.setFlagsFromString(`--semi-space-growth-factor=${(factor = next)}`);
  };
  return () => {
    steer();
    const observer = new PerformanceObserver(steer);
    observer.observe({ entryTypes: ['gc'] });
    return () => observer.disconnect();
  };
}
