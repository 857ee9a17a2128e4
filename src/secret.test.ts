/** The constant-time secret matcher (CONTRACT §6): equal strings only, never a throw. */
import { describe, expect, it } from 'vitest';
import { secretMatcher } from './secret.js';

describe('secretMatcher', () => {
  const matches = secretMatcher('s3cret');
  it('accepts the secret itself', () => { expect(matches('s3cret')).toBe(true); });
  it.each([
    ['a prefix', 's3cre'], ['a longer value', 's3cret!'], ['another case', 'S3CRET'], ['empty', ''],
    ['a non-ASCII value', 's3crét'], ['undefined', undefined], ['an array', ['s3cret']], ['a number', 5],
  ])('refuses %s without throwing', (_name, given) => { expect(matches(given)).toBe(false); });
});
