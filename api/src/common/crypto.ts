import { createHash, randomBytes } from 'node:crypto';

/** A high-entropy secret for tokens and keys, URL-safe. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 of a high-entropy secret. Enough for refresh tokens and API keys: unlike
 * passwords they cannot be guessed, so a slow hash would only cost latency.
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
