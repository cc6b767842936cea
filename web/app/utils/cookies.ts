export const SESSION_COOKIE = 'aleflix_session';
export const LOCALE_COOKIE = 'aleflix_lang';
/** Matches the API's default refresh token lifetime (REFRESH_TOKEN_TTL_DAYS = 30). */
export const SESSION_COOKIE_MAX_AGE = 30 * 24 * 3600;
export const LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600;

/** Reads a cookie from a Cookie header or document.cookie, as it is now (not a cached copy). */
export function readCookie(cookieHeader: string, name: string): string | null {
  for (const part of cookieHeader.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() !== name) continue;
    const raw = part.slice(separator + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}
