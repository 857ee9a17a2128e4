import { describe, expect, it } from 'vitest';
import { traceIdOf } from './trace-id.js';

describe('traceIdOf', () => {
  const id = '4bf92f3577b34da6a3ce929d0e0e4736';
  it('reads a full id, in any case, with blanks around', () => {
    expect(traceIdOf(`  ${id.toUpperCase()}\n`)).toBe(id);
  });
  it('reads the trace id out of a traceparent and out of a log line', () => {
    expect(traceIdOf(`00-${id}-00f067aa0ba902b7-01`)).toBe(id);
    expect(traceIdOf(`level=info trace_id=${id} span_id=00f067aa0ba902b7 msg="x"`)).toBe(id);
    expect(traceIdOf('4bf92f35-77b3-4da6-a3ce-929d0e0e4736')).toBe(id);
  });
  it('keeps a prefix of 8 or more hex digits, refuses shorter or non-hex text', () => {
    expect(traceIdOf('4bf92f35')).toBe('4bf92f35');
    expect(traceIdOf('4bf92f3')).toBeUndefined();
    expect(traceIdOf('checkout')).toBeUndefined();
    expect(traceIdOf('')).toBeUndefined();
    expect(traceIdOf('a'.repeat(40))).toBeUndefined();
  });
});
