import { describe, expect, it } from 'vitest';
import type { MediaInfo } from '../messages/messages.js';
import {
  buildFilterGraph,
  buildTranscodeArgs,
  DEFAULT_ENCODE_SETTINGS,
  formatCommandLine,
  posterOutputArgs,
  renditionsOutputArgs,
  renditionTeeSlave,
  spriteAssembleArgs,
  spriteTilesOutputArgs,
} from './ffmpeg-args.js';
import { planLadder } from './ladder.js';
import { layoutSprite, planPoster, planSprite } from './thumbnails-plan.js';

const source: MediaInfo = {
  durationSeconds: 20,
  width: 1920,
  height: 1080,
  videoCodec: 'h264',
  audioCodec: 'aac',
  frameRate: 30,
  rotation: 0,
  bitDepth: 8,
  audioChannels: 2,
};

function spec(media: MediaInfo, withStills = true) {
  return {
    input: 'file:/work/source.mp4',
    plan: planLadder(media),
    poster: withStills ? planPoster(media) : null,
    sprite: withStills ? planSprite(media) : null,
  };
}

/** The arguments of each output, split where an output file name ends one. */
function outputs(args: string[]): string[][] {
  const afterGraph = args.slice(args.indexOf('-filter_complex') + 2);
  const groups: string[][] = [[]];
  for (const arg of afterGraph) {
    groups.at(-1)!.push(arg);
    if (/\.(m3u8|jpg|png)$/.test(arg)) groups.push([]);
  }
  return groups.filter((group) => group.length > 0);
}

/** A command laid out for review: options before the graph, the graph's chains, one line per output. */
function readable(args: string[]) {
  const graphAt = args.indexOf('-filter_complex');
  return {
    head: args.slice(0, graphAt).join(' '),
    filterGraph: args[graphAt + 1]!.split(';'),
    // The tee target holds every rendition's muxer: one line each.
    outputs: outputs(args).map((output) =>
      output.includes('tee') ? [...output.slice(0, -1), ...output.at(-1)!.split('|')] : output.join(' '),
    ),
  };
}

describe('buildFilterGraph', () => {
  it('splits the decoded video once, between a cascade of rungs, the poster and the tiles', () => {
    expect(buildFilterGraph(spec(source)).split(';')).toMatchInlineSnapshot(`
      [
        "[0:V:0]split=3[ladder][stills][thumbs]",
        "[ladder]scale=1920:1080,setsar=1,format=yuv420p,split=2[v0][next0]",
        "[next0]scale=1280:720,setsar=1,split=2[v1][next1]",
        "[next1]scale=854:480,setsar=1,split=2[v2][next2]",
        "[next2]scale=640:360,setsar=1,split=2[v3][next3]",
        "[next3]scale=426:240,setsar=1[v4]",
        "[stills]setpts=PTS-STARTPTS,select='eq(selected_n,0)+gte(t,2)*eq(selected_n,1)',scale=1280:720,setsar=1,format=yuvj420p[poster]",
        "[thumbs]setpts=PTS-STARTPTS,select='gte(t,1*selected_n)',scale=160:90,setsar=1[tiles]",
      ]
    `);
  });

  it('drops frames before the split when the source is above 60 fps, and has only rungs without stills', () => {
    expect(buildFilterGraph(spec({ ...source, width: 640, height: 360, frameRate: 120 }, false))).toMatchInlineSnapshot(
      `"[0:V:0]fps=60,split=1[ladder];[ladder]scale=640:360,setsar=1,format=yuv420p,split=2[v0][next0];[next0]scale=426:240,setsar=1[v1]"`,
    );
  });

  it('sizes a rotated source from its displayed (portrait) size: ffmpeg autorotates before the graph', () => {
    const graph = buildFilterGraph(spec({ ...source, width: 1080, height: 1920, rotation: 90 }));
    expect(graph).toContain('[ladder]scale=1080:1920,');
    expect(graph).toContain('scale=160:284,setsar=1[tiles]');
    expect(graph).not.toMatch(/transpose|rotate/);
  });
});

describe('renditionsOutputArgs', () => {
  it('encodes every rung and the audio once in one output, fanned out to one HLS muxer per rendition', () => {
    const plan = planLadder({ ...source, width: 640, height: 360 });
    expect(renditionsOutputArgs(plan, DEFAULT_ENCODE_SETTINGS)).toMatchInlineSnapshot(`
      [
        "-map",
        "[v0]",
        "-map",
        "[v1]",
        "-c:v",
        "libx264",
        "-preset:v",
        "veryfast",
        "-profile:v",
        "high",
        "-g:v",
        "60",
        "-keyint_min:v",
        "60",
        "-sc_threshold:v",
        "0",
        "-force_key_frames:v",
        "expr:gte(t,n_forced*4)",
        "-flags:v",
        "+global_header",
        "-b:v:0",
        "691k",
        "-maxrate:v:0",
        "829k",
        "-bufsize:v:0",
        "1382k",
        "-b:v:1",
        "307k",
        "-maxrate:v:1",
        "368k",
        "-bufsize:v:1",
        "614k",
        "-map",
        "0:a:0",
        "-c:a",
        "aac",
        "-flags:a",
        "+global_header",
        "-b:a",
        "128k",
        "-ac",
        "2",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-f",
        "tee",
        "[select=\\'v:0,a\\':f=hls:hls_time=4:hls_playlist_type=vod:hls_segment_type=fmp4:hls_flags=independent_segments:hls_fmp4_init_filename=init.mp4:hls_segment_filename=360p/seg_%05d.m4s]360p/index.m3u8|[select=\\'v:1,a\\':f=hls:hls_time=4:hls_playlist_type=vod:hls_segment_type=fmp4:hls_flags=independent_segments:hls_fmp4_init_filename=init.mp4:hls_segment_filename=240p/seg_%05d.m4s]240p/index.m3u8",
      ]
    `);
  });

  it('maps no audio for a silent source, and follows the encode settings', () => {
    const plan = planLadder({ ...source, audioCodec: null, audioChannels: 0, frameRate: 25 });
    const args = renditionsOutputArgs(plan, { preset: 'medium', segmentSeconds: 6, keyframeIntervalSeconds: 3 }).join(
      ' ',
    );
    expect(args).not.toContain('0:a:0');
    expect(args).not.toContain('-c:a');
    expect(args).toContain("[select=\\'v:0\\':f=hls:hls_time=6:");
    expect(args).toContain('-preset:v medium');
    expect(args).toContain('-g:v 75 -keyint_min:v 75');
    expect(args).toContain('expr:gte(t,n_forced*6)');
  });

  it('quotes tee option values so that both unescaping passes leave them whole', () => {
    const rung = planLadder(source).rungs[1]!;
    expect(renditionTeeSlave(rung, 1, true, DEFAULT_ENCODE_SETTINGS)).toBe(
      "[select=\\'v:1,a\\':f=hls:hls_time=4:hls_playlist_type=vod:hls_segment_type=fmp4:hls_flags=independent_segments:" +
        'hls_fmp4_init_filename=init.mp4:hls_segment_filename=720p/seg_%05d.m4s]720p/index.m3u8',
    );
    expect(() =>
      renditionTeeSlave(rung, 1, true, { ...DEFAULT_ENCODE_SETTINGS, segmentSeconds: "4'" as unknown as number }),
    ).toThrow(/Unsupported character/);
  });
});

describe('buildTranscodeArgs', () => {
  it('is one ffmpeg process: one input, one tee output of every rendition, the poster and the tiles', () => {
    const args = buildTranscodeArgs(spec(source));
    expect(args.filter((arg) => arg === '-i')).toHaveLength(1);
    expect(args).not.toContain('-var_stream_map');
    expect(args.slice(0, 10)).toEqual([
      '-hide_banner',
      '-nostdin',
      '-y',
      '-loglevel',
      'error',
      '-progress',
      'pipe:1',
      '-nostats',
      '-i',
      'file:/work/source.mp4',
    ]);
    const [tee = '', poster, tiles] = outputs(args).map((output) => output.at(-1)!);
    expect(tee.split('|').map((slave) => slave.slice(slave.indexOf(']') + 1))).toEqual([
      '1080p/index.m3u8',
      '720p/index.m3u8',
      '480p/index.m3u8',
      '360p/index.m3u8',
      '240p/index.m3u8',
    ]);
    expect([poster, tiles]).toEqual(['poster.jpg', 'sprite-tiles/%05d.png']);
  });

  it('aligns keyframes: one set of GOP and forced-keyframe options for every rendition', () => {
    const args = buildTranscodeArgs(spec({ ...source, frameRate: 29.97 }));
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    expect([at('-g:v'), at('-keyint_min:v'), at('-sc_threshold:v'), at('-force_key_frames:v')]).toEqual([
      '60',
      '60',
      '0',
      'expr:gte(t,n_forced*4)',
    ]);
    expect(args.filter((arg) => /^-(g|keyint_min|sc_threshold|force_key_frames)(:|$)/.test(arg))).toHaveLength(4);
  });

  it('matches the snapshot for a 1080p source with audio', () => {
    expect(readable(buildTranscodeArgs(spec(source)))).toMatchSnapshot();
  });

  it('matches the snapshot for a silent 10-bit portrait source at 120 fps, without stills', () => {
    const media = { ...source, width: 720, height: 1280, rotation: 90, bitDepth: 10, frameRate: 120, audioCodec: null };
    expect(readable(buildTranscodeArgs(spec(media, false)))).toMatchSnapshot();
  });
});

describe('poster and sprite', () => {
  it('writes the poster twice into one file (first frame, then the one at 10 %)', () => {
    expect(posterOutputArgs().join(' ')).toMatchInlineSnapshot(
      `"-map [poster] -frames:v 2 -fps_mode passthrough -c:v mjpeg -q:v 3 -f image2 -update 1 poster.jpg"`,
    );
  });

  it('falls back to the global -vsync on ffmpeg builds without -fps_mode', () => {
    const sprite = planSprite({ ...source, durationSeconds: 1000 });
    expect(posterOutputArgs(true).join(' ')).toContain('-frames:v 2 -vsync passthrough -c:v mjpeg');
    expect(spriteTilesOutputArgs(sprite, true).join(' ')).toContain('-vsync passthrough');
    expect(buildTranscodeArgs({ ...spec(source, true), legacyVsync: true })).not.toContain('-fps_mode');
  });

  it('writes at most maxTiles tiles, then tiles them in a second tiny run', () => {
    const sprite = planSprite({ ...source, durationSeconds: 1000 });
    expect(spriteTilesOutputArgs(sprite).join(' ')).toMatchInlineSnapshot(
      `"-map [tiles] -frames:v 100 -fps_mode passthrough -c:v png -f image2 sprite-tiles/%05d.png"`,
    );
    expect(spriteAssembleArgs(layoutSprite(sprite, 100)).join(' ')).toMatchInlineSnapshot(
      `"-hide_banner -nostdin -y -loglevel error -f image2 -framerate 1 -start_number 1 -i sprite-tiles/%05d.png -vf tile=10x10,format=yuvj420p -frames:v 1 -c:v mjpeg -q:v 5 -f image2 -update 1 sprite.jpg"`,
    );
  });
});

describe('formatCommandLine', () => {
  it('quotes only what the shell would misread', () => {
    expect(
      formatCommandLine('/usr/bin/ffmpeg', ['-i', 'file:/a b.mp4', '-vf', "select='gte(t,1)'", '[v0]', 'out.m3u8']),
    ).toBe(`/usr/bin/ffmpeg -i 'file:/a b.mp4' -vf 'select='\\''gte(t,1)'\\''' '[v0]' out.m3u8`);
  });
});
