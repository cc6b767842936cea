import { describe, expect, it } from 'vitest';
import {
  FfmpegProgressParser,
  parseProgressFields,
  progressFromBlock,
  ProgressThrottle,
  type TranscodeProgress,
} from './progress.js';

/** A block as ffmpeg 5.1 prints it with `-progress pipe:1`. */
const block = (outTimeUs: string, speed: string, progress = 'continue') =>
  [
    'frame=120',
    'fps=59.32',
    'stream_0_0_q=-1.0',
    'bitrate=N/A',
    'total_size=N/A',
    `out_time_us=${outTimeUs}`,
    `out_time_ms=${outTimeUs}`,
    'out_time=00:00:01.000000',
    'dup_frames=0',
    'drop_frames=0',
    `speed=${speed}`,
    `progress=${progress}`,
    '',
  ].join('\n');

describe('FfmpegProgressParser', () => {
  it('emits one block per progress= line, whatever the chunking', () => {
    const text = block('1000000', '2.5x') + block('3000000', ' 2.4x') + block('4000000', '2.39x', 'end');
    const whole = new FfmpegProgressParser().push(text);
    const chunked = new FfmpegProgressParser();
    const pieces: ReturnType<FfmpegProgressParser['push']> = [];
    for (let i = 0; i < text.length; i += 7) pieces.push(...chunked.push(text.slice(i, i + 7)));
    expect(whole).toEqual([
      { outTimeSeconds: 1, speed: 2.5, ended: false },
      { outTimeSeconds: 3, speed: 2.4, ended: false },
      { outTimeSeconds: 4, speed: 2.39, ended: true },
    ]);
    expect(pieces).toEqual(whole);
  });

  it('copes with CRLF and lines that are not key=value', () => {
    expect(new FfmpegProgressParser().push('junk\r\nout_time_us=500000\r\nprogress=continue\r\n')).toEqual([
      { outTimeSeconds: 0.5, speed: null, ended: false },
    ]);
  });
});

describe('parseProgressFields', () => {
  const fields = (entries: Record<string, string>) => new Map(Object.entries(entries));

  it('falls back from out_time_us to out_time_ms (also microseconds) to out_time', () => {
    expect(parseProgressFields(fields({ out_time_ms: '2500000' })).outTimeSeconds).toBe(2.5);
    expect(parseProgressFields(fields({ out_time_us: 'N/A', out_time: '01:02:03.500000' })).outTimeSeconds).toBe(
      3723.5,
    );
  });

  it('treats N/A and negative times (before the first packet) as unknown or zero', () => {
    expect(parseProgressFields(fields({ out_time_us: 'N/A', out_time: 'N/A', speed: 'N/A' }))).toEqual({
      outTimeSeconds: null,
      speed: null,
      ended: false,
    });
    expect(parseProgressFields(fields({ out_time_us: '-9223372036854775807' })).outTimeSeconds).toBe(0);
    expect(parseProgressFields(fields({ out_time: '-00:00:00.033333' })).outTimeSeconds).toBe(0);
    expect(parseProgressFields(fields({ speed: '0x' })).speed).toBeNull();
  });
});

describe('progressFromBlock', () => {
  it('turns media time into percent and time left at the reported speed', () => {
    expect(progressFromBlock({ outTimeSeconds: 5, speed: 2, ended: false }, 20)).toEqual({
      percent: 25,
      speed: 2,
      etaSeconds: 7.5,
    });
  });

  it('has no ETA before the speed is known, clamps past the end, and is 100 % at the end', () => {
    expect(progressFromBlock({ outTimeSeconds: null, speed: null, ended: false }, 20)).toEqual({
      percent: 0,
      speed: null,
      etaSeconds: null,
    });
    expect(progressFromBlock({ outTimeSeconds: 25, speed: 1, ended: false }, 20)).toMatchObject({
      percent: 100,
      etaSeconds: 0,
    });
    expect(progressFromBlock({ outTimeSeconds: 19, speed: 3, ended: true }, 20)).toEqual({
      percent: 100,
      speed: 3,
      etaSeconds: 0,
    });
  });
});

describe('ProgressThrottle', () => {
  function setup() {
    let now = 0;
    const seen: TranscodeProgress[] = [];
    const throttle = new ProgressThrottle((progress) => seen.push(progress), { now: () => now, intervalMs: 2000 });
    const at = (ms: number, percent: number) => {
      now = ms;
      throttle.push({ percent, speed: 1, etaSeconds: 1 });
    };
    return { throttle, seen, at, setNow: (ms: number) => (now = ms) };
  }

  it('reports at most once per interval, starting with the first report', () => {
    const { seen, at } = setup();
    for (let ms = 0; ms <= 5000; ms += 500) at(ms, ms / 100);
    expect(seen.map((progress) => progress.percent)).toEqual([0, 20, 40]);
  });

  it('always delivers the final 100 % once, even right after another report', () => {
    const { throttle, seen, at, setNow } = setup();
    at(0, 10);
    at(100, 95);
    setNow(200);
    throttle.finish({ speed: 2, etaSeconds: 0 });
    throttle.finish({ speed: 2, etaSeconds: 0 });
    at(10_000, 50);
    expect(seen).toEqual([
      { percent: 10, speed: 1, etaSeconds: 1 },
      { percent: 100, speed: 2, etaSeconds: 0 },
    ]);
  });

  it('never reports a lower percentage than one it saw', () => {
    const { seen, at } = setup();
    at(0, 10);
    at(1000, 60);
    at(2000, 40);
    expect(seen.map((progress) => progress.percent)).toEqual([10, 60]);
  });
});
