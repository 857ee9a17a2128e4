import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../model/model.js';
import { modelLog } from '../../../test/helpers/model-items.js';
import { LogIndex } from './log-index.js';

const log = (i: number, service: string, traceId: string | null): LogRecord =>
  modelLog({ id: `l${i}`, timeMs: 1_700_000_000_000 + i, service, traceId, body: `line ${i}` });

describe('LogIndex', () => {
  it('finds by trace and service through its indexes as records come and go oldest first', () => {
    const idx = new LogIndex();
    const all: LogRecord[] = [];
    // 5,000 records over 2 services and 50 traces (past the lane's compaction point).
    for (let i = 0; i < 5000; i++) all.push(log(i, i % 2 ? 'odd' : 'even', i % 10 ? `t${i % 50}` : null));
    for (const l of all) idx.add(l);
    const scan = (visit: (l: LogRecord) => void) => { for (let i = all.length - 1; i >= 0; i--) if (all[i]) visit(all[i]); };
    expect(idx.serviceCounts()).toEqual(new Map([['even', 2500], ['odd', 2500]]));
    // Remove the oldest 4,000 in write order, as the store's eviction does.
    for (let i = 0; i < 4000; i++) { idx.remove(all[i]); delete all[i]; }
    expect(idx.size).toBe(1000);
    expect(idx.serviceCounts()).toEqual(new Map([['even', 500], ['odd', 500]]));
    const t7 = idx.find({ traceId: 't7', limit: 1000 }, scan);
    expect(t7.map((l) => l.id)).toEqual(all.filter((l) => l && l.traceId === 't7').map((l) => l.id).reverse());
    expect(t7).toHaveLength(20);
    // 3,000 more in a third service, so that 'odd' (500 of 4,000) is read from its compacted lane, not a scan.
    for (let i = 5000; i < 8000; i++) { const l = log(i, 'bulk', null); all.push(l); idx.add(l); }
    let scanned = 0;
    const odd = idx.find({ service: 'odd', limit: 3 }, (visit) => { scanned++; scan(visit); });
    expect(scanned).toBe(0);
    expect(odd.map((l) => l.id)).toEqual(['l4999', 'l4997', 'l4995']);
    // A service whose records all left is gone from the counts and finds nothing.
    const other = log(9000, 'other', 't7');
    idx.add(other);
    expect(idx.serviceCounts().get('other')).toBe(1);
    idx.remove(other);
    expect(idx.serviceCounts().has('other')).toBe(false);
    expect(idx.find({ service: 'other', limit: 10 }, scan)).toEqual([]);
  });

  it('takes out a record that is not its key\'s oldest too', () => {
    const idx = new LogIndex();
    const a = log(1, 's', 't'), b = log(2, 's', 't'), c = log(3, 's', 't');
    for (const l of [a, b, c]) idx.add(l);
    idx.remove(b);
    const left = [a, c];
    const scan = (visit: (l: LogRecord) => void) => left.forEach(visit);
    expect(idx.find({ traceId: 't', limit: 10 }, scan).map((l) => l.id)).toEqual(['l3', 'l1']);
    expect(idx.serviceCounts().get('s')).toBe(2);
  });
});
