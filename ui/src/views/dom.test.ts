// Unit test of ui/views/dom's wiring: every string child and every read attribute goes through
// visibleText (hidden characters written out), still as a text node; values and data-* stay exact.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { append, h } from './dom.js';

interface FakeNode { text?: string; tag?: string; attrs: Record<string, string>; children: FakeNode[]; [prop: string]: unknown }

function fakeElement(tag: string): FakeNode {
  const el: FakeNode = { tag, attrs: {}, children: [] };
  Object.assign(el, {
    appendChild: (c: FakeNode) => { el.children.push(c); return c; },
    setAttribute: (k: string, v: string) => { el.attrs[k] = v; },
    addEventListener: () => {},
  });
  return el;
}

describe('dom builders', () => {
  const saved = (globalThis as { document?: unknown }).document;
  beforeEach(() => {
    (globalThis as { document?: unknown }).document = {
      createElement: fakeElement,
      createTextNode: (text: string): FakeNode => ({ text, attrs: {}, children: [] }),
    };
  });
  afterEach(() => { (globalThis as { document?: unknown }).document = saved; });

  it('turns a service name with a right-to-left override into a text node that shows it', () => {
    const el = h('td', { title: 'svc-\u202Egnp.exe', 'data-service': 'svc-\u202Egnp.exe', value: 'svc-\u202Egnp.exe' }, 'svc-\u202Egnp.exe', 42) as unknown as FakeNode;
    expect(el.children.map((c) => c.text)).toEqual(['svc-<U+202E>gnp.exe', '42']);
    expect(el.attrs.title).toBe('svc-<U+202E>gnp.exe');
    expect(el.attrs['data-service']).toBe('svc-\u202Egnp.exe');
    expect(el.value).toBe('svc-\u202Egnp.exe');
  });

  it('does the same for nested children and keeps newlines of multiline text', () => {
    const parent = fakeElement('pre');
    append(parent as unknown as Node, ['line 1\u200B\n', ['line 2\u2067']]);
    expect(parent.children.map((c) => c.text)).toEqual(['line 1<U+200B>\n', 'line 2<U+2067>']);
  });

  it('appends an array of 500k children without spreading it (issue 11: a spread of ~120k arguments overflows the stack)', () => {
    let n = 0;
    const parent = { appendChild: () => { n++; } } as unknown as Node;
    const children = Array.from({ length: 500_000 }, () => ({}) as Node);
    append(parent, children);
    expect(n).toBe(500_000);
  });
});
