/** The most of the shutdown grace kept back from the drain for aborting and releasing jobs. */
export const RELEASE_MARGIN_MS = 5_000;

/**
 * How long running jobs may finish after a shutdown signal before they are aborted: the
 * grace minus a margin (5 s, or a quarter of a short grace). The process force-exits once
 * the grace is over; a drain as long as the grace would leave a long transcode running until
 * then, its message never released, so no other worker could take it before its visibility
 * timeout. The margin is the time to kill ffmpeg, release the messages and close. Shared by
 * `aleflix-worker` and the API's embedded worker.
 */
export function workerDrainMs(shutdownGraceMs: number): number {
  return Math.max(0, shutdownGraceMs - Math.min(RELEASE_MARGIN_MS, Math.floor(shutdownGraceMs / 4)));
}
