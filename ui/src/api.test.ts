/**
 * The UI's request paths for metrics: every name reaches its metric, including the names a browser
 * would rewrite as a path segment (`.`, `..`, also when spelled %2E) and the empty name.
 */
import { describe, expect, it } from 'vitest';
import { metricRequest } from './api.js';

/** What the browser actually sends for a path (WHATWG URL parsing, as fetch does it). */
const sent = (path: string) => { const u = new URL(path, 'http://127.0.0.1:5002'); return { pathname: u.pathname, search: u.searchParams }; };

describe('metricRequest', () => {
  it.each(['.', '..', ''])('sends the name %j as a parameter the browser leaves alone', (name) => {
    const { path, params } = metricRequest(name, { start: 5 });
    const url = sent(path);
    expect(url.pathname).toBe('/api/metric');
    expect(url.search.get('name')).toBe(name);
    expect(params).toEqual({ start: 5 });
  });

  it.each(['http.server.duration', '...', '.hidden', 'a/b', '%2E%2E', 'é ü', '?x#y', 'x'.repeat(255)])('sends %j as the path segment, unchanged by the browser', (name) => {
    const url = sent(metricRequest(name).path);
    expect(url.pathname.startsWith('/api/metrics/')).toBe(true);
    expect(decodeURIComponent(url.pathname.slice('/api/metrics/'.length))).toBe(name);
  });
});
