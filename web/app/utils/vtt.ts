// Seek-bar previews: the API's thumbnails.vtt lists, for each time range, a tile of a sprite
// image as `sprite.jpg#xywh=x,y,w,h` (the Media Fragments form). Relative image paths are
// resolved against the VTT's own (signed) URL.

export interface ThumbnailCue {
  start: number;
  end: number;
  url: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

const TIMING = /^\s*((?:\d+:)?\d{1,2}:\d{2}(?:\.\d{1,3})?)\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}(?:\.\d{1,3})?)/;

/** "01:02.500" or "1:01:02.500" -> seconds. */
export function parseTimestamp(value: string): number {
  const parts = value.split(':').map(Number);
  let seconds = 0;
  for (const part of parts) seconds = seconds * 60 + part;
  return seconds;
}

export function parseThumbnailVtt(text: string, vttUrl: string): ThumbnailCue[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (!lines[0]?.startsWith('WEBVTT')) return [];
  const cues: ThumbnailCue[] = [];
  for (let index = 0; index < lines.length; index++) {
    const timing = TIMING.exec(lines[index] ?? '');
    if (!timing) continue;
    const payload = (lines[index + 1] ?? '').trim();
    const cue = parseTile(payload, vttUrl);
    if (!cue) continue;
    cues.push({ start: parseTimestamp(timing[1]!), end: parseTimestamp(timing[2]!), ...cue });
    index++;
  }
  return cues.sort((a, b) => a.start - b.start);
}

function parseTile(payload: string, vttUrl: string): Omit<ThumbnailCue, 'start' | 'end'> | null {
  const hash = payload.lastIndexOf('#xywh=');
  if (hash <= 0) return null;
  const numbers = payload
    .slice(hash + '#xywh='.length)
    .split(',')
    .map((value) => Number(value));
  if (numbers.length !== 4 || numbers.some((value) => !Number.isFinite(value) || value < 0)) return null;
  const [x, y, width, height] = numbers as [number, number, number, number];
  let url: string;
  try {
    url = new URL(payload.slice(0, hash), vttUrl).href;
  } catch {
    return null;
  }
  return { url, x, y, width, height };
}

/** The cue showing at `time` (binary search over sorted cues), or null. */
export function cueAt(cues: readonly ThumbnailCue[], time: number): ThumbnailCue | null {
  let low = 0;
  let high = cues.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const cue = cues[middle]!;
    if (time < cue.start) high = middle - 1;
    else if (time >= cue.end) low = middle + 1;
    else return cue;
  }
  // Past the last cue (the final frame): show the last tile.
  const last = cues[cues.length - 1];
  return last && time >= last.end && time - last.end < 1 ? last : null;
}
