import { Histogram, type Registry } from 'prom-client';

/** Wall seconds of one ffmpeg pass: a few seconds for a clip, up to hours for a feature. */
const DURATION_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
/** Media seconds per encode second; below 1 is slower than real time. */
const REALTIME_FACTOR_BUCKETS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 21, 34];

/**
 * The transcode histograms, defined once so the API (which observes every `ready` event it
 * applies, whichever worker sent it) and a standalone worker (its own encodes) export the
 * same names and buckets.
 */
export class TranscodeMetrics {
  private readonly duration: Histogram;
  private readonly realtimeFactor: Histogram;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'aleflix_transcode_duration_seconds',
      help: 'Wall time of the ffmpeg pass of a finished transcode',
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    this.realtimeFactor = new Histogram({
      name: 'aleflix_transcode_realtime_factor',
      help: 'Media duration divided by encode time of a finished transcode (above 1: faster than real time)',
      buckets: REALTIME_FACTOR_BUCKETS,
      registers: [registry],
    });
  }

  observe(encodeSeconds: number, mediaSeconds: number): void {
    this.duration.observe(encodeSeconds);
    if (encodeSeconds > 0 && mediaSeconds > 0) this.realtimeFactor.observe(mediaSeconds / encodeSeconds);
  }
}
