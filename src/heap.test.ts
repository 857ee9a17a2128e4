import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { growingFactorChosen, HEAP_GROWING_PERCENT } from './heap.js';

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
