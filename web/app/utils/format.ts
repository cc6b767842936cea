/** 75 -> "1:15", 3725 -> "1:02:05"; for player times and resume labels. */
export function formatClock(totalSeconds: number | null | undefined): string {
  if (totalSeconds === null || totalSeconds === undefined || !Number.isFinite(totalSeconds) || totalSeconds < 0) {
    return '0:00';
  }
  const whole = Math.floor(totalSeconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

/** A poster/backdrop reference is shown only when it is an absolute http(s) URL. */
export function imageUrl(ref: string | null | undefined): string | null {
  if (!ref) return null;
  return /^https?:\/\//i.test(ref) ? ref : null;
}

/** Two letters for a title without a poster. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? (words[0]![0] ?? '') + (words[1]![0] ?? '') : name.trim().slice(0, 2);
  return letters.toUpperCase();
}
