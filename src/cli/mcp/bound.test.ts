/**
 * The central bound of MCP answers: whatever a tool produces, the result as sent stays within
 * 16 KB, is cut at a line boundary, and says how much it left out and how to get it.
 */
import { describe, expect, it } from 'vitest';
import { bounded, MAX_ANSWER_BYTES, resultBytes } from './bound.js';

const text = (r: ReturnType<typeof bounded>) => (r.content[0] as { text: string }).text;

describe('bounded', () => {
  it('passes a small answer through untouched', () => {
    expect(text(bounded('summary\nline'))).toBe('summary\nline');
  });

  it('cuts a long answer at a line, within the bound, saying what it left out and how to get it', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `${i}. "quoted" \\ span row with non-ASCII é ✓ ${'x'.repeat(40)}`);
    const r = bounded(lines.join('\n'), { more: 'call again with offset=120' });
    expect(resultBytes(r)).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    expect(resultBytes(r)).toBeGreaterThan(MAX_ANSWER_BYTES - 400);
    const t = text(r);
    const kept = t.split('\n').length - 1;
    expect(t.split('\n')[kept - 1]).toBe(lines[kept - 1]);
    expect(t).toMatch(new RegExp(`\\[answer cut at the 16 KB bound: ${2000 - kept} more lines left out; call again with offset=120\\]$`));
  });

  it('cuts inside one giant line too', () => {
    const r = bounded('y'.repeat(100_000), { isError: true });
    expect(resultBytes(r)).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('answer cut at the 16 KB bound');
  });
});
