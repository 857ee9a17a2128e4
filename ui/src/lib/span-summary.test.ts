// Unit tests for ui/lib/span-summary: the waterfall row summary from semantic-convention attributes,
// current names and the older ones the Node auto-instrumentations still send.
import { describe, expect, it } from 'vitest';
import { firstLine, spanSummary, SUMMARY_MAX } from './span-summary.js';

const sum = (kind: string, attributes: Record<string, unknown>) => spanSummary({ kind: kind as never, attributes: attributes as never });

describe('spanSummary', () => {
  it('shows the first line of the SQL for a database span (new and old names)', () => {
    expect(sum('CLIENT', { 'db.system.name': 'postgresql', 'db.query.text': '\n  SELECT id, name\n  FROM users WHERE id = $1' }))
      .toEqual({ text: 'SELECT id, name', icon: 'db', system: 'postgresql' });
    expect(sum('CLIENT', { 'db.system': 'postgresql', 'db.statement': 'SELECT   test' })).toEqual({ text: 'SELECT test', icon: 'db', system: 'postgresql' });
    // The new name wins over the old when both are sent.
    expect(sum('CLIENT', { 'db.system': 'mysql', 'db.statement': 'old', 'db.query.text': 'new' }).text).toBe('new');
  });

  it('falls back to operation + collection when a database span has no query text', () => {
    expect(sum('CLIENT', { 'db.system.name': 'mongodb', 'db.operation.name': 'find', 'db.collection.name': 'orders' }).text).toBe('find orders');
    expect(sum('CLIENT', { 'db.system': 'redis', 'db.operation': 'GET' })).toEqual({ text: 'GET', icon: 'db', system: 'redis' });
  });

  it('shows method + URL and the status code for HTTP spans', () => {
    expect(sum('CLIENT', { 'http.request.method': 'GET', 'url.full': 'http://backend:8081/api/items/7', 'http.response.status_code': 200 }))
      .toEqual({ text: 'GET http://backend:8081/api/items/7 → 200', icon: 'http', statusCode: 200 });
    expect(sum('CLIENT', { 'http.method': 'POST', 'http.url': 'http://x/y', 'http.status_code': 503 }))
      .toEqual({ text: 'POST http://x/y → 503', icon: 'http', statusCode: 503 });
    expect(sum('SERVER', { 'http.request.method': 'GET', 'http.route': '/items/:id', 'url.path': '/items/7' }).text).toBe('GET /items/:id');
    expect(sum('SERVER', { 'http.request.method': 'GET', 'url.path': '/items', 'url.query': 'a=1' }).text).toBe('GET /items?a=1');
    expect(sum('SERVER', { 'http.method': 'GET', 'http.target': '/old' }).text).toBe('GET /old');
    expect(sum('SERVER', { 'http.status_code': '404' })).toEqual({ text: '→ 404', icon: 'http', statusCode: 404 });
  });

  it('shows the destination of messaging spans and the method of RPC spans', () => {
    expect(sum('PRODUCER', { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': 'orders' }))
      .toEqual({ text: 'send orders', icon: 'messaging', system: 'kafka' });
    expect(sum('CONSUMER', { 'messaging.system': 'rabbitmq', 'messaging.destination': 'jobs' }).text).toBe('jobs');
    expect(sum('CLIENT', { 'rpc.system': 'grpc', 'rpc.service': 'shop.Cart', 'rpc.method': 'Add', 'rpc.grpc.status_code': 0 }))
      .toEqual({ text: 'shop.Cart/Add → 0', icon: 'rpc', system: 'grpc' });
    expect(sum('SERVER', { 'rpc.method': 'Ping' })).toEqual({ text: 'Ping', icon: 'rpc', system: undefined });
  });

  it('says nothing for a span without such attributes, with the icon of its kind', () => {
    expect(sum('INTERNAL', { 'app.step': 'render' })).toEqual({ text: '', icon: 'internal' });
    expect(sum('SERVER', {})).toEqual({ text: '', icon: 'server' });
    expect(sum('CLIENT', {}).icon).toBe('client');
    expect(sum('PRODUCER', {}).icon).toBe('producer');
    expect(sum('CONSUMER', {}).icon).toBe('consumer');
  });

  it('bounds long values and ignores blank or structured ones', () => {
    const long = `SELECT ${'x, '.repeat(500)}y`;
    const t = sum('CLIENT', { 'db.system.name': 'postgresql', 'db.query.text': long }).text;
    expect(t.length).toBe(SUMMARY_MAX);
    expect(t.endsWith('…')).toBe(true);
    expect(sum('CLIENT', { 'http.request.method': '  ', 'url.full': ['a'] }).text).toBe('');
    expect(firstLine('\n\n   \n')).toBe('');
  });
});
