/**
 * @module secret: constant-time comparison of secrets (the OTLP API key, the UI token and its
 * session cookie, CONTRACT §6). Both sides are hashed first, so the comparison takes the same time
 * whatever the given value's length or content; callers never compare secrets with `===`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * A matcher for one secret: true only for a string equal to it. Anything else (undefined, a
 * repeated header's array, a number) is false. The comparison is over fixed-length SHA-256 digests
 * with crypto.timingSafeEqual.
 */
export function secretMatcher(secret: string): (given: unknown) => boolean {
  const expected = digest(secret);
  return (given) => typeof given === 'string' && timingSafeEqual(digest(given), expected);
}
