/**
 * Secret scrubbing shared by the logs (API and workers) and the exported spans. Two rules:
 * a value under a secret-looking key is replaced whole, and known credential shapes inside
 * any string (presigned URL signatures, the API's playback token, bearer tokens, JWTs, API
 * keys) are cut out, so a URL or an error message can be logged as it is.
 */
export const REDACTED = '[REDACTED]';

/** authorization, cookie, set-cookie, x-api-key, password, newPassword, accessToken, refreshToken, jwtSecret… */
const SECRET_KEY = /(authorization|cookie|password|passwd|secret|token|api[-_]?key|credential)s?$/i;

const SECRET_SHAPES: ReadonlyArray<[RegExp, string]> = [
  // Presigned S3 URLs (and look-alikes): the signature and the credential scope.
  [
    /([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|sig|token|access_token)=)[^&#\s"'<>]*/gi,
    `$1${REDACTED}`,
  ],
  // The API's playback token is a path segment: /media/hls/<asset id>/<token>/<file>.
  [/(\/media\/hls\/[^/\s?#"'<>]+\/)[^/\s?#"'<>]+/g, `$1${REDACTED}`],
  [/\b(Bearer\s+)[^\s"',;]+/gi, `$1${REDACTED}`],
  [/\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]+/g, REDACTED],
  [/\balx_[\w-]{8,}/g, `alx_${REDACTED}`],
];

const MAX_DEPTH = 8;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function scrubString(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_SHAPES) result = result.replace(pattern, replacement);
  return result;
}

/**
 * A copy of `value` with secrets removed: strings scrubbed, values under secret keys replaced.
 * Dates, buffers and errors are returned as they are (errors go through their own serializer).
 */
export function scrubSecrets<T>(value: T): T {
  return scrub(value, 0) as T;
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (value instanceof Date || value instanceof Error || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      isSecretKey(key) && item !== undefined && item !== null && item !== '' ? REDACTED : scrub(item, depth + 1);
  }
  return copy;
}
