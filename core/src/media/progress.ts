/** What a caller is told about a running transcode. */
export interface TranscodeProgress {
  /** 0–100, never decreasing. */
  percent: number;
  /** Realtime factor reported by ffmpeg (2 = twice as fast as playback); null until known. */
  speed: number | null;
  /** Seconds left at the current speed; null until the speed is known. */
  etaSeconds: number | null;
}

/** One `-progress` block: the key=value lines ffmpeg prints, ending with `progress=`. */
export interface FfmpegProgressBlock {
  /** Media time encoded so far, in seconds; null when ffmpeg printed N/A. */
  outTimeSeconds: number | null;
  speed: number | null;
  /** `progress=end`: ffmpeg has finished. */
  ended: boolean;
}

/** `00:01:02.500000` → 62.5 */
function parseClock(value: string): number | null {
  const match = /^(-)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value.trim());
  if (!match) return null;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
  return match[1] ? -seconds : seconds;
}

function parseMicroseconds(value: string | undefined): number | null {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return null;
  return Number(value) / 1_000_000;
}

/** Turns the fields of one block into numbers. Missing or N/A values become null. */
export function parseProgressFields(fields: ReadonlyMap<string, string>): FfmpegProgressBlock {
  // out_time_ms is microseconds too (a long-standing ffmpeg misnomer); out_time is the
  // same instant as a clock, printed by every version.
  const outTime =
    parseMicroseconds(fields.get('out_time_us')) ??
    parseMicroseconds(fields.get('out_time_ms')) ??
    parseClock(fields.get('out_time') ?? '');
  const speedMatch = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)x\s*$/.exec(fields.get('speed') ?? '');
  const speed = speedMatch ? Number(speedMatch[1]) : null;
  return {
    // Negative before the first frame is muxed; treat as nothing done yet.
    outTimeSeconds: outTime === null ? null : Math.max(0, outTime),
    speed: speed !== null && Number.isFinite(speed) && speed > 0 ? speed : null,
    ended: fields.get('progress') === 'end',
  };
}

/**
 * Incremental parser for ffmpeg's `-progress pipe:1` output: feed it stdout chunks as they
 * come (they split lines anywhere), get back the blocks completed by each chunk.
 */
export class FfmpegProgressParser {
  private pending = '';
  private fields = new Map<string, string>();

  push(chunk: string | Buffer): FfmpegProgressBlock[] {
    this.pending += chunk.toString();
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    const blocks: FfmpegProgressBlock[] = [];
    for (const rawLine of lines) {
      const line = rawLine.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      this.fields.set(key, line.slice(eq + 1));
      if (key === 'progress') {
        blocks.push(parseProgressFields(this.fields));
        this.fields = new Map();
      }
    }
    return blocks;
  }
}

/**
 * Where a block puts the job: percent of the probed duration, and the time left at the
 * speed ffmpeg reports. Clamped: ffmpeg's position can run past the probed duration
 * (audio longer than video, the last tile of the sprite).
 */
export function progressFromBlock(block: FfmpegProgressBlock, durationSeconds: number): TranscodeProgress {
  if (block.ended) return { percent: 100, speed: block.speed, etaSeconds: 0 };
  const done = Math.min(durationSeconds, block.outTimeSeconds ?? 0);
  const percent = durationSeconds > 0 ? Math.min(100, (done / durationSeconds) * 100) : 0;
  const etaSeconds = block.speed ? (durationSeconds - done) / block.speed : null;
  return {
    percent: Math.round(percent * 10) / 10,
    speed: block.speed,
    etaSeconds: etaSeconds === null ? null : Math.round(etaSeconds * 10) / 10,
  };
}

export interface ProgressThrottleOptions {
  /** Shortest gap between two reports; ffmpeg writes a block every ~0.5 s. */
  intervalMs?: number;
  /** Milliseconds clock; injected by tests. */
  now?: () => number;
}

/**
 * Forwards progress at most once per interval (each report becomes a queue message and a
 * WebSocket push, so every half-second block would be noise), never lets the percentage go
 * backwards, and always delivers the final report exactly once.
 */
export class ProgressThrottle {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private lastEmitAt: number | null = null;
  private highest = 0;
  private finished = false;

  constructor(
    private readonly emit: (progress: TranscodeProgress) => void,
    options: ProgressThrottleOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  /** A report that may be dropped if the previous one was too recent. */
  push(progress: TranscodeProgress): void {
    if (this.finished) return;
    this.highest = Math.max(this.highest, progress.percent);
    const at = this.now();
    if (this.lastEmitAt !== null && at - this.lastEmitAt < this.intervalMs) return;
    this.lastEmitAt = at;
    this.emit({ ...progress, percent: this.highest });
  }

  /** The final report (100 %), delivered whatever the timing; later calls do nothing. */
  finish(progress: Omit<TranscodeProgress, 'percent'>): void {
    if (this.finished) return;
    this.finished = true;
    this.highest = 100;
    this.lastEmitAt = this.now();
    this.emit({ ...progress, percent: 100 });
  }
}
