import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaErrorCode } from '../messages/messages.js';
import { bundledBinary, resolveFfmpegBinaries } from './ffmpeg-binaries.js';
import { MediaError } from './media-error.js';
import { parseMediaPlaylist } from './media-playlist.js';
import type { TranscodeProgress } from './progress.js';
import { generateSyntheticClip } from './synthetic-media.js';
import { transcode, type TranscodeResult } from './transcode.js';

// Real ffmpeg end to end, on clips of a few seconds at small sizes: these tests prove the
// outputs play (ffprobe reads them), not how fast they are made.
const { ffmpeg, ffprobe } = resolveFfmpegBinaries();
const has10BitX264 = /yuv420p10le/.test(
  execFileSync(ffmpeg, ['-hide_banner', '-h', 'encoder=libx264'], { encoding: 'utf8' }),
);

const root = mkdtempSync(join(tmpdir(), 'aleflix-transcode-'));
const clip = (name: string) => join(root, name);
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  await Promise.all([
    generateSyntheticClip(clip('landscape.mp4'), { durationSeconds: 4, width: 640, height: 360, frameRate: 30 }),
    generateSyntheticClip(clip('portrait.mp4'), {
      durationSeconds: 2,
      width: 320,
      height: 180,
      frameRate: 30,
      rotation: 90,
      audioChannels: 0,
      ...(has10BitX264 ? { pixelFormat: 'yuv420p10le' } : {}),
    }),
    generateSyntheticClip(clip('odd.mp4'), {
      durationSeconds: 2,
      width: 321,
      height: 241,
      frameRate: 25,
      pixelFormat: 'yuv444p',
      audioChannels: 6,
    }),
  ]);
  writeFileSync(clip('notes.mp4'), 'not a video\n');
});

let workDirs = 0;
/** A fresh work directory holding a copy of the source, as the worker leaves it. */
function workDirWith(source: string): { workDir: string; inputPath: string } {
  const workDir = join(root, `work-${++workDirs}`);
  mkdirSync(workDir);
  const inputPath = join(workDir, 'source.mp4');
  copyFileSync(clip(source), inputPath);
  return { workDir, inputPath };
}

interface ProbedStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  pix_fmt?: string;
  channels?: number;
  side_data_list?: unknown[];
}
function probeStreams(path: string): ProbedStream[] {
  const out = execFileSync(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', path], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { streams: ProbedStream[] }).streams;
}

/** ffprobe of init + first segment, glued: what a player fetches first. */
function probeFirstSegment(workDir: string, playlistPath: string): ProbedStream[] {
  const dir = join(workDir, playlistPath, '..');
  const playlist = parseMediaPlaylist(readFileSync(join(workDir, playlistPath), 'utf8'));
  const glued = join(root, `glued-${workDirs}-${playlistPath.replace('/', '-')}.mp4`);
  writeFileSync(
    glued,
    Buffer.concat([readFileSync(join(dir, playlist.initUri!)), readFileSync(join(dir, playlist.segments[0]!.uri))]),
  );
  return probeStreams(glued);
}

function imageSize(path: string): string {
  const [stream] = probeStreams(path);
  return `${stream!.width}x${stream!.height}`;
}

interface StreamInf {
  attributes: Record<string, string>;
  uri: string;
}
function parseMaster(text: string): StreamInf[] {
  const lines = text.trim().split('\n');
  const variants: StreamInf[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const attributes: Record<string, string> = {};
    for (const match of line.slice('#EXT-X-STREAM-INF:'.length).matchAll(/([A-Z-]+)=("[^"]*"|[^,]*)/g)) {
      attributes[match[1]!] = match[2]!.replace(/^"|"$/g, '');
    }
    variants.push({ attributes, uri: lines[i + 1]! });
  });
  return variants;
}

/** Every file under dir, relative, with '/' separators. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

async function codeOf(promise: Promise<unknown>): Promise<MediaErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MediaError) return error.code;
    throw error;
  }
  throw new Error('expected a MediaError');
}

describe('transcode (real ffmpeg)', () => {
  describe('a 4 s 640x360 30 fps clip with stereo audio', () => {
    let workDir: string;
    let result: TranscodeResult;
    const progress: TranscodeProgress[] = [];

    beforeAll(async () => {
      const dirs = workDirWith('landscape.mp4');
      workDir = dirs.workDir;
      result = await transcode({ ...dirs, onProgress: (p) => progress.push(p), options: { progressIntervalMs: 500 } });
    });

    it('returns the renditions of the ladder, highest first', () => {
      expect(result.media).toMatchObject({ width: 640, height: 360, frameRate: 30, audioChannels: 2 });
      expect(result.renditions.map((r) => `${r.name} ${r.width}x${r.height} ${r.playlist}`)).toEqual([
        '360p 640x360 360p/index.m3u8',
        '240p 426x240 240p/index.m3u8',
      ]);
      expect(result.encodeSeconds).toBeGreaterThan(0);
    });

    it('writes a master playlist whose CODECS, RESOLUTION and BANDWIDTH describe each rendition', () => {
      const text = readFileSync(join(workDir, result.masterPlaylist), 'utf8');
      expect(text.startsWith('#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n')).toBe(true);
      const variants = parseMaster(text);
      expect(variants.map((v) => v.uri)).toEqual(result.renditions.map((r) => r.playlist));
      for (const [i, variant] of variants.entries()) {
        const rendition = result.renditions[i]!;
        expect(variant.attributes.RESOLUTION).toBe(`${rendition.width}x${rendition.height}`);
        expect(variant.attributes.CODECS).toBe(rendition.codecs);
        expect(variant.attributes['FRAME-RATE']).toBe('30.000');
        expect(Number(variant.attributes.BANDWIDTH)).toBe(rendition.bandwidth);
        expect(Number(variant.attributes['AVERAGE-BANDWIDTH'])).toBeGreaterThan(0);
        expect(Number(variant.attributes['AVERAGE-BANDWIDTH'])).toBeLessThanOrEqual(rendition.bandwidth);

        // The CODECS string is what the encoder wrote: High profile at the level ffprobe reads.
        const [video, audio] = probeFirstSegment(workDir, rendition.playlist);
        const level = parseInt(rendition.codecs.slice('avc1.6400'.length, 'avc1.6400'.length + 2), 16);
        expect(rendition.codecs).toMatch(/^avc1\.6400[0-9A-F]{2},mp4a\.40\.2$/);
        expect(video).toMatchObject({
          codec_name: 'h264',
          profile: 'High',
          level,
          width: rendition.width,
          height: rendition.height,
          pix_fmt: 'yuv420p',
        });
        expect(audio).toMatchObject({ codec_type: 'audio', codec_name: 'aac', profile: 'LC', channels: 2 });
      }
    });

    it('cuts every rendition into the same fMP4 segments (keyframes aligned)', () => {
      const playlists = result.renditions.map((r) => ({
        r,
        playlist: parseMediaPlaylist(readFileSync(join(workDir, r.playlist), 'utf8')),
      }));
      for (const { r, playlist } of playlists) {
        expect(playlist.ended).toBe(true);
        expect(playlist.initUri).toBe('init.mp4');
        expect(existsSync(join(workDir, r.name, 'init.mp4'))).toBe(true);
        for (const segment of playlist.segments) {
          expect(segment.uri).toMatch(/^seg_\d{5}\.m4s$/);
          expect(existsSync(join(workDir, r.name, segment.uri))).toBe(true);
        }
      }
      const durations = playlists.map(({ playlist }) => playlist.segments.map((s) => s.durationSeconds));
      expect(durations[0]).toEqual([4]);
      for (const other of durations.slice(1)) expect(other).toEqual(durations[0]);
    });

    it('writes the poster and a sprite of one tile per second, indexed by a VTT covering the video', () => {
      expect(result.poster).toBe('poster.jpg');
      expect(imageSize(join(workDir, 'poster.jpg'))).toBe('640x360');
      expect(result.thumbnails).toEqual({ sprite: 'sprite.jpg', vtt: 'thumbnails.vtt' });
      expect(imageSize(join(workDir, 'sprite.jpg'))).toBe('640x90');

      const cues = [...readFileSync(join(workDir, 'thumbnails.vtt'), 'utf8').matchAll(/(\S+) --> (\S+)\n(\S+)/g)];
      const seconds = (time: string) => time.split(':').reduce((total, part) => total * 60 + Number(part), 0);
      expect(cues.map((cue) => cue[3])).toEqual([
        'sprite.jpg#xywh=0,0,160,90',
        'sprite.jpg#xywh=160,0,160,90',
        'sprite.jpg#xywh=320,0,160,90',
        'sprite.jpg#xywh=480,0,160,90',
      ]);
      expect(seconds(cues[0]![1]!)).toBe(0);
      cues.slice(1).forEach((cue, i) => expect(seconds(cue[1]!)).toBe(seconds(cues[i]![2]!)));
      expect(seconds(cues.at(-1)![2]!)).toBeCloseTo(result.media.durationSeconds, 2);
    });

    it('lists every output file once, master playlist last, and leaves nothing else behind', () => {
      expect(result.files.at(-1)).toBe('master.m3u8');
      expect([...result.files].sort()).toEqual(listFiles(workDir).filter((file) => file !== 'source.mp4'));
      expect(existsSync(join(workDir, 'source.mp4'))).toBe(true);
      expect(existsSync(join(workDir, 'sprite-tiles'))).toBe(false);
      // Within a rendition, the playlist comes after the media it lists.
      expect(result.files.indexOf('360p/index.m3u8')).toBeGreaterThan(result.files.indexOf('360p/seg_00000.m4s'));
    });

    it('reports progress that only goes up and ends at 100 %', () => {
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress.at(-1)).toMatchObject({ percent: 100, etaSeconds: 0 });
      progress.slice(1).forEach((p, i) => expect(p.percent).toBeGreaterThanOrEqual(progress[i]!.percent));
    });
  });

  it(`turns a rotated ${has10BitX264 ? '10-bit ' : ''}silent clip into upright 8-bit portrait video without audio`, async () => {
    const dirs = workDirWith('portrait.mp4');
    const result = await transcode(dirs);
    expect(result.media).toMatchObject({
      rotation: 90,
      width: 180,
      height: 320,
      bitDepth: has10BitX264 ? 10 : 8,
      audioCodec: null,
    });
    expect(result.renditions).toEqual([
      expect.objectContaining({
        name: '240p',
        width: 180,
        height: 320,
        codecs: expect.stringMatching(/^avc1\.6400[0-9A-F]{2}$/),
      }),
    ]);
    const streams = probeFirstSegment(dirs.workDir, '240p/index.m3u8');
    expect(streams).toHaveLength(1);
    // Upright pixels, so no display matrix is needed (or it is the identity).
    expect(streams[0]).toMatchObject({ width: 180, height: 320, pix_fmt: 'yuv420p', profile: 'High' });
    expect(imageSize(join(dirs.workDir, 'poster.jpg'))).toBe('180x320');
    expect(imageSize(join(dirs.workDir, 'sprite.jpg'))).toBe('320x284');
    expect(readFileSync(join(dirs.workDir, 'master.m3u8'), 'utf8')).toContain('RESOLUTION=180x320,CODECS="avc1.6400');
  });

  it('encodes an odd-sized 4:4:4 clip with 5.1 audio to an even 4:2:0 rendition with stereo', async () => {
    const dirs = workDirWith('odd.mp4');
    const result = await transcode({ ...dirs, options: { poster: false, sprite: false } });
    expect(result.renditions.map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual(['240p 320x240']);
    const [video, audio] = probeFirstSegment(dirs.workDir, '240p/index.m3u8');
    expect(video).toMatchObject({ width: 320, height: 240, pix_fmt: 'yuv420p' });
    expect(audio).toMatchObject({ codec_name: 'aac', channels: 2 });
    expect(result.poster).toBeNull();
    expect(result.thumbnails).toBeNull();
    expect(readFileSync(join(dirs.workDir, 'master.m3u8'), 'utf8')).toContain('FRAME-RATE=25.000');
  });

  // The fallback when a machine has no ffmpeg: the optional npm packages, whose ffmpeg is a
  // 2018 static build (it crashes on -var_stream_map, which the single pass avoids).
  it('produces the same adaptive HLS with the ffmpeg of the npm packages', async () => {
    const binaries = { ffmpeg: bundledBinary('ffmpeg')!, ffprobe: bundledBinary('ffprobe')! };
    expect(binaries.ffmpeg && binaries.ffprobe, 'npm ci installs the optional ffmpeg packages').toBeTruthy();
    const dirs = workDirWith('landscape.mp4');
    const result = await transcode({ ...dirs, options: { binaries } });
    expect(result.renditions.map((r) => r.name)).toEqual(['360p', '240p']);
    const variants = parseMaster(readFileSync(join(dirs.workDir, 'master.m3u8'), 'utf8'));
    expect(variants.map((v) => v.uri)).toEqual(['360p/index.m3u8', '240p/index.m3u8']);
    for (const variant of variants) {
      const [video, audio] = probeFirstSegment(dirs.workDir, variant.uri);
      expect(video).toMatchObject({ codec_type: 'video', codec_name: 'h264' });
      expect(`${video!.width}x${video!.height}`).toBe(variant.attributes.RESOLUTION);
      expect(audio).toMatchObject({ codec_type: 'audio', codec_name: 'aac' });
    }
  });

  describe('failures leave no outputs behind', () => {
    const outputsLeft = (workDir: string) => listFiles(workDir).filter((file) => file !== 'source.mp4');

    it('cancels on abort', async () => {
      const dirs = workDirWith('landscape.mp4');
      const controller = new AbortController();
      const code = await codeOf(
        transcode({
          ...dirs,
          signal: controller.signal,
          onProgress: () => controller.abort(),
          options: { progressIntervalMs: 0 },
        }),
      );
      expect(code).toBe('transcode_cancelled');
      expect(outputsLeft(dirs.workDir)).toEqual([]);
      expect(readdirSync(dirs.workDir)).toEqual(['source.mp4']);
    });

    it('reports ffmpeg errors with what ffmpeg said', async () => {
      const dirs = workDirWith('landscape.mp4');
      const failure = transcode({ ...dirs, options: { encode: { preset: 'no-such-preset' } } });
      await expect(failure).rejects.toThrow(MediaError);
      await expect(failure).rejects.toMatchObject({
        code: 'transcode_failed',
        message: expect.stringMatching(/exited with code \d+:\n.*preset/is),
      });
      expect(readdirSync(dirs.workDir)).toEqual(['source.mp4']);
    });

    it('times out', async () => {
      const dirs = workDirWith('landscape.mp4');
      expect(await codeOf(transcode({ ...dirs, options: { timeoutMs: 1 } }))).toBe('transcode_timeout');
      expect(readdirSync(dirs.workDir)).toEqual(['source.mp4']);
    });

    it('refuses a file that is not media, removing outputs of an earlier attempt', async () => {
      const dirs = workDirWith('notes.mp4');
      mkdirSync(join(dirs.workDir, '720p'));
      writeFileSync(join(dirs.workDir, '720p', 'index.m3u8'), '#EXTM3U\n');
      writeFileSync(join(dirs.workDir, 'keep-me.txt'), 'not ours');
      expect(await codeOf(transcode(dirs))).toBe('media_unreadable');
      expect(readdirSync(dirs.workDir).sort()).toEqual(['keep-me.txt', 'source.mp4']);
    });

    it('never deletes a source that sits where an output goes', async () => {
      const workDir = join(root, 'clash');
      mkdirSync(join(workDir, '720p'), { recursive: true });
      const inputPath = join(workDir, '720p', 'source.mp4');
      copyFileSync(clip('landscape.mp4'), inputPath);
      expect(await codeOf(transcode({ inputPath, workDir }))).toBe('transcode_failed');
      expect(existsSync(inputPath)).toBe(true);
    });
  });
});
