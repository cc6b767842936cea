import { z } from 'zod';

const NO_NUL = (value: string) => !value.includes('\u0000');

/**
 * A string PostgreSQL can store: no NUL characters (text columns reject them, which would
 * otherwise surface as a 500). Every free-text input goes through this.
 */
export function text(max: number, min = 0) {
  return z.string().min(min).max(max).refine(NO_NUL, 'must not contain NUL characters');
}

/** Trimmed, non-empty single-line text such as a name. */
export function name(max: number) {
  return z.string().trim().min(1, 'must not be empty').max(max).refine(NO_NUL, 'must not contain NUL characters');
}
