// Unit tests for ui/lib/visible-text: hidden and bidi-control characters are written out as <U+XXXX>.
import { describe, expect, it } from 'vitest';
import { codePointLabel, visibleText } from './visible-text.js';

describe('visibleText', () => {
  it('writes out a right-to-left override, so "exe.png" cannot pass for "gnp.exe"', () => {
    expect(visibleText('svc-\u202Egnp.exe')).toBe('svc-<U+202E>gnp.exe');
  });

  it.each([
    ...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e].map((c) => [c, 'bidi embedding/override']),
    ...[0x2066, 0x2067, 0x2068, 0x2069].map((c) => [c, 'bidi isolate']),
    ...[0x200b, 0x200c, 0x200d, 0x200e, 0x200f].map((c) => [c, 'zero-width and marks']),
    [0x2028, 'line separator'], [0x2029, 'paragraph separator'], [0xfeff, 'byte order mark'], [0x061c, 'Arabic letter mark'],
    [0x2060, 'word joiner'], [0x00ad, 'soft hyphen'], [0x180e, 'Mongolian vowel separator'], [0xe0041, 'tag character'],
    [0x0000, 'NUL'], [0x0007, 'BEL'], [0x001b, 'ESC'], [0x007f, 'DEL'], [0x0085, 'NEL (C1)'], [0x009b, 'CSI (C1)'],
    [0x3164, 'Hangul filler'],
  ].map(([cp, what]) => [(cp as number).toString(16).toUpperCase(), what, cp]) as [string, string, number][])('writes out U+%s (%s)', (_hex, _what, cp) => {
    const ch = String.fromCodePoint(cp);
    const label = `<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>`;
    expect(codePointLabel(ch)).toBe(label);
    expect(visibleText(`a${ch}b`)).toBe(`a${label}b`);
  });

  it('keeps tab and newline (multiline bodies and JSON), CRLF, and a lone CR written out', () => {
    expect(visibleText('{\n\t"a": 1\r\n}')).toBe('{\n\t"a": 1\r\n}');
    expect(visibleText('over\rwrite')).toBe('over<U+000D>write');
  });

  it('leaves ordinary text alone: other scripts, right-to-left letters, emoji, spaces', () => {
    for (const t of ['checkout', 'Grüße', 'データベース', 'שלום עולם', 'مرحبا', '👩‍💻 ❤️‍🔥 👍🏽', 'a\u00a0b', '<img src=x>']) {
      expect(visibleText(t)).toBe(t);
    }
  });

  it('writes out a zero-width joiner that joins no emoji', () => {
    expect(visibleText('ad\u200Dmin')).toBe('ad<U+200D>min');
    expect(visibleText('👩\u200D')).toBe('👩<U+200D>');
  });

  it('writes out every hidden character of a long run, each once', () => {
    expect(visibleText('\u202E\u202E\u2066x')).toBe('<U+202E><U+202E><U+2066>x');
  });
});
