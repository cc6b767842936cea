import { describe, expect, it } from 'vitest';
import { bundledBinary, resolveFfmpegBinaries } from './ffmpeg-binaries.js';
import { ffmpegFeatures } from './ffmpeg-features.js';

describe('ffmpegFeatures (real binaries)', () => {
  it('finds -fps_mode in the system ffmpeg (Debian 12 ships 5.1)', async () => {
    expect(await ffmpegFeatures(resolveFfmpegBinaries().ffmpeg)).toEqual({ fpsMode: true });
  });

  it('knows the 2018 ffmpeg of the npm package lacks it', async () => {
    expect(await ffmpegFeatures(bundledBinary('ffmpeg')!)).toEqual({ fpsMode: false });
  });

  it('fails for something that is not ffmpeg, and asks again next time', async () => {
    await expect(ffmpegFeatures('/nonexistent/ffmpeg')).rejects.toThrow(/ENOENT/);
    await expect(ffmpegFeatures('/nonexistent/ffmpeg')).rejects.toThrow(/ENOENT/);
  });
});
