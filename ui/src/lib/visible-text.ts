/**
 * @module ui/lib/visible-text: telemetry text as it should be shown, with every character that is
 * invisible or changes the reading direction written out as `<U+XXXX>` (as code review tools
 * do), so a service named "svc-\u202Eexe.png" cannot read "svc-gnp.exe". Pure; views/dom.ts applies it
 * to every string it turns into a text node.
 */

/**
 * What is written out: C0 and C1 controls and DEL (Cc), format characters (Cf: bidi embeddings,
 * overrides and isolates U+202A–U+202E and U+2066–U+2069, U+200B–U+200F, U+061C, U+FEFF, U+2060…,
 * soft hyphen, tag characters), the line and paragraph separators U+2028/U+2029, and the Hangul
 * fillers that render as blanks. Tab and newline stay: multiline text (log bodies, JSON) needs them.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029\u115F\u1160\u3164\uFFA0]/u;
const HIDDEN_ALL = new RegExp(HIDDEN.source, 'gu');
const PICTOGRAPH_BEFORE = /\p{Extended_Pictographic}[\u{FE0F}\u{1F3FB}-\u{1F3FF}]?$/u;
const PICTOGRAPH_AFTER = /^\p{Extended_Pictographic}/u;

/** `<U+202E>` for one character: the code point in upper-case hex, at least four digits. */
export function codePointLabel(ch: string): string {
  return `<U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/**
 * The text with each hidden character replaced by its `<U+XXXX>` label. Kept as they are: tab,
 * newline, a carriage return directly before a newline, and a zero-width joiner between two
 * pictographs (it builds emoji such as 👩‍💻 and cannot reorder or hide text). Text without
 * such characters is returned unchanged (the same string).
 */
export function visibleText(text: string): string {
  if (!HIDDEN.test(text)) return text;
  return text.replace(HIDDEN_ALL, (ch: string, offset: number) => {
    if (ch === '\t' || ch === '\n') return ch;
    if (ch === '\r' && text[offset + 1] === '\n') return ch;
    if (ch === '\u200D' && PICTOGRAPH_BEFORE.test(text.slice(Math.max(0, offset - 4), offset)) && PICTOGRAPH_AFTER.test(text.slice(offset + 1))) return ch;
    return codePointLabel(ch);
  });
}
