import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { HeapSpaceInfo } from 'node:v8';
import { growingFactorChosen, growthFactorFor, HEAP_GROWING_PERCENT, heapTuningFor, semiSpaceCapacity, SEMI_SPACE_MB, youngGenerationChosen } from './heap.js';

describe('the heap growing factor', () => {
  it('is left to the operator who chose one on node\'s command line', () => {
    expect(growingFactorChosen([])).toBe(false);
    expect(growingFactorChosen(['--import', 'tsx', '--max-old-space-size=512'])).toBe(false);
    expect(growingFactorChosen(['--heap-growing-percent=50'])).toBe(true);
    expect(growingFactorChosen(['--heap_growing_percent=50'])).toBe(true);
    expect(growingFactorChosen(['-heap-growing-percent=80'])).toBe(true); // node takes one dash too
  });

  it('bounds what V8 keeps between major GCs once set at run time', () => {
    // 40 MB of 4 KB strings replaced 8 times over: with V8's own factor (up to 4 on this machine's
    // memory) the heap grows far past what is live; with the bound it stays near it.
    const churn = `
      const flag = process.argv[1];
      if (flag === 'bound') require('node:v8').setFlagsFromString('--heap-growing-percent=${HEAP_GROWING_PERCENT}');
      const N = 10000, ring = new Array(N); let peak = 0;
      for (let i = 0; i < 8 * N; i++) {
        ring[i % N] = Buffer.alloc(4000, 97 + (i % 20)).toString('latin1') + i;
        if (i % 500 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
      }
      process.stdout.write(String(peak / 1048576));`;
    const peakMb = (flag: string) => Number(execFileSync(process.execPath, ['-e', churn, flag], { encoding: 'utf8' }));
    const free = peakMb('free');
    const bound = peakMb('bound');
    expect(bound).toBeLessThan(0.75 * free);
  });
});

describe('the tuning for a memory cap', () => {
  it('keeps the defaults at the default cap and above, and with the Redis store', () => {
    const defaults = { growingPercent: HEAP_GROWING_PERCENT, semiSpaceMb: SEMI_SPACE_MB };
    expect(heapTuningFor(256, 'memory')).toEqual(defaults);
    expect(heapTuningFor(4096, 'memory')).toEqual(defaults);
    expect(heapTuningFor(32, 'redis')).toEqual(defaults);
  });

  it('holds old space nearer what is live and the young generation smaller below the default cap', () => {
    for (const cap of [1, 32, 255]) {
      const tuning = heapTuningFor(cap, 'memory');
      expect(tuning.growingPercent).toBeLessThan(HEAP_GROWING_PERCENT);
      expect(tuning.semiSpaceMb).toBeLessThan(SEMI_SPACE_MB);
    }
  });
});

describe('the young generation', () => {
  const MIB = 1024 * 1024;

  it('is left to the operator who sized it on node\'s command line', () => {
    expect(youngGenerationChosen([])).toBe(false);
    expect(youngGenerationChosen(['--max-old-space-size=512', '--heap-growing-percent=50'])).toBe(false);
    expect(youngGenerationChosen(['--max-semi-space-size=32'])).toBe(true);
    expect(youngGenerationChosen(['--min_semi_space_size=4'])).toBe(true);
    expect(youngGenerationChosen(['-semi-space-growth-factor=4'])).toBe(true);
  });

  it('grows to the target in one step and no further', () => {
    expect(growthFactorFor(1 * MIB, 8 * MIB)).toBe(8);
    expect(growthFactorFor(2 * MIB, 8 * MIB)).toBe(4);
    expect(growthFactorFor(3 * MIB, 8 * MIB)).toBe(2);
    expect(growthFactorFor(8 * MIB, 8 * MIB)).toBe(1);
    expect(growthFactorFor(16 * MIB, 8 * MIB)).toBe(1);
    expect(growthFactorFor(0, 8 * MIB)).toBe(8 * MIB);
  });

  it('reads a semi-space\'s capacity from what it holds and can take, not from committed memory', () => {
    const space = (size: number, used: number, available: number): HeapSpaceInfo =>
      ({ space_name: 'new_space', space_size: size, space_used_size: used, space_available_size: available, physical_space_size: size });
    // Both semi-spaces committed, and the idle one uncommitted (committed = one semi-space).
    expect(semiSpaceCapacity([space(16 * MIB, 3 * MIB, 5 * MIB)])).toBe(8 * MIB);
    expect(semiSpaceCapacity([space(8 * MIB, 3 * MIB, 5 * MIB)])).toBe(8 * MIB);
    expect(growthFactorFor(semiSpaceCapacity([space(8 * MIB, 3 * MIB, 5 * MIB)]), 8 * MIB)).toBe(1);
    expect(semiSpaceCapacity([])).toBe(0);
  });

  it('steers from GCs, not a timer: an idle process is not woken while new space is below the target', () => {
    // Steering starts with new space at 1 MiB (below the target, so it may grow) and nothing allocates:
    // count the timers created in the next 300 ms (a poll would make one per check).
    const script = `
      import { createHook } from 'node:async_hooks';
      import { boundYoungGeneration } from ${JSON.stringify(new URL('./heap.ts', import.meta.url).href)};
      let timers = 0;
      const stop = boundYoungGeneration([])();
      createHook({ init(id, type) { if (type === 'Timeout') timers++; } }).enable();
      await new Promise((r) => setTimeout(r, 300));
      process.stdout.write(JSON.stringify({ timers: timers - 1, stopType: typeof stop }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 }));
    expect(out).toEqual({ timers: 0, stopType: 'function' });
  });

  it('stays at the target in a real process that loads modules and allocates, where V8 alone grows it to its maximum', () => {
    // A churn in which much survives a scavenge (what makes V8 grow new space), in one synchronous
    // stretch (module loading) and then in turns of the event loop (requests), before and after the
    // server would be running; prints the largest new space seen (both semi-spaces), in MiB.
    const script = (semiMb: number | undefined) => `
      import v8 from 'node:v8';
      import { boundYoungGeneration } from ${JSON.stringify(new URL('./heap.ts', import.meta.url).href)};
      const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      const atStart = newSpace();
      const started = ${semiMb !== undefined} ? boundYoungGeneration([], ${semiMb ?? 0}) : undefined;
      let peak = 0;
      const ring = new Array(200000);
      const churn = (n) => { for (let i = 0; i < n; i++) { ring[i % ring.length] = { i, s: 'x' + i }; if (i % 1000 === 0) peak = Math.max(peak, newSpace()); } };
      churn(2e6);
      started?.();
      for (let turn = 0; turn < 300; turn++) { churn(2e4); await new Promise((r) => setImmediate(r)); }
      process.stdout.write(JSON.stringify({ peak: peak / 1048576, atStart: atStart / 1048576 }));`;
    const run = (semiMb?: number): { peak: number; atStart: number } => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(semiMb)], { encoding: 'utf8' }));
    const free = run().peak;
    const bound = run(SEMI_SPACE_MB).peak;
    // The smaller target of a small memory cap (heapTuningFor): 1 MiB, V8's start-up size, which tsx's
    // own loading has already grown past here (the server's bundle runs without it): new space stays
    // at what it was when bounded.
    const small = heapTuningFor(32, 'memory').semiSpaceMb;
    const { peak: boundSmall, atStart } = run(small);
    console.log(`largest new space: ${free} MiB with V8's own growth, ${bound} MiB bounded at ${SEMI_SPACE_MB}, ${boundSmall} at ${small} (${atStart} when bounded)`);
    expect(free).toBeGreaterThan(2 * SEMI_SPACE_MB);
    expect(bound).toBeLessThanOrEqual(2 * SEMI_SPACE_MB);
    expect(bound).toBeGreaterThan(2 * small);
    expect(boundSmall).toBeLessThanOrEqual(Math.max(2 * small, atStart));
    expect(boundSmall).toBeLessThan(bound);
  });
});
