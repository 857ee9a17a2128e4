/**
 * @module wire/attribute-at: one attribute read from a message's KeyValue bytes without building the
 * others (filters ask for one key across many spans), with the last key asked for kept as UTF-8.
 */
import type { AttrValue } from '../model/model.js';
import { readAnyValue } from './any-value.js';
import type { WireReadOptions } from './read-options.js';
import type { WireReader } from './reader.js';

/** The last key asked for, as UTF-8 (filters ask for the same key across many spans). */
let lastKey = '';
let lastKeyBytes = Buffer.alloc(0);

/**
 * The value attributesAt(…, fieldNo) would hold under `key` (undefined when absent), without building
 * the others: keys are compared as bytes, and only the winning value (the last one kept) is decoded.
 */
export function attributeAt(r: WireReader, start: number, end: number, o: WireReadOptions, fieldNo: number, key: string): AttrValue | undefined {
  if (key !== lastKey) {
    lastKey = key;
    lastKeyBytes = Buffer.from(key, 'utf8');
  }
  const want = lastKeyBytes;
  const tagWanted = (fieldNo << 3) | 2;
  const buf = r.buf;
  let kept = 0;
  let found = false;
  let valueStart = -1;
  let valueEnd = -1;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== tagWanted) { r.skip(tag & 7); continue; }
    const kvEnd = r.delimitedEnd();
    if (kept >= o.maxAttributes) { r.pos = kvEnd; continue; }
    kept++;
    let ks = -1;
    let ke = -1;
    let vs = -1;
    let ve = -1;
    while (r.pos < kvEnd) {
      const t = r.uint32();
      if (t === 10) { ke = r.delimitedEnd(); ks = r.pos; r.pos = ke; }
      else if (t === 18) { ve = r.delimitedEnd(); vs = r.pos; r.pos = ve; }
      else r.skip(t & 7);
    }
    r.pos = kvEnd;
    const keyLength = ks < 0 ? 0 : ke - ks;
    if (keyLength !== want.length) continue;
    let same = true;
    for (let i = 0; i < keyLength; i++) if (buf[ks + i] !== want[i]) { same = false; break; }
    if (!same) continue;
    found = true;
    valueStart = vs;
    valueEnd = ve;
  }
  if (!found) return undefined;
  if (valueStart < 0) return null;
  r.pos = valueStart;
  return readAnyValue(r, valueEnd, o, 0);
}
