/**
 * The page to go to after signing in: only a path of this site (never `//host` or a URL,
 * which would make the sign-in page an open redirect), and never the sign-in page itself.
 */
export function safeRedirect(value: unknown, fallback = '/'): string {
  const candidate = Array.isArray(value) ? value[0] : value;
  if (typeof candidate !== 'string' || candidate.length > 2000) return fallback;
  if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.startsWith('/\\')) return fallback;
  // Control characters (a newline in a header-bound value, say) never belong in a path.
  if ([...candidate].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return fallback;
  if (candidate === '/login' || candidate.startsWith('/login?') || candidate.startsWith('/login#')) return fallback;
  return candidate;
}
