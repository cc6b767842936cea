import { measure } from './load.mjs';

export const ROUNDS_PER_SIDE = 2;

/**
 * Measures a baseline and the API with the same client, connections and round length,
 * alternating baseline, api, baseline, api. Noise on this kind of machine (2 cores shared
 * with neighbours) drifts over seconds; alternating spreads that drift over both sides
 * instead of letting it land on whichever ran second. Each side first gets an unmeasured
 * warm-up so that neither pays for JIT compilation inside its first measured round.
 * @param {{ baseline: { url: string, headers?: Record<string, string> }, api: { url: string, headers?: Record<string, string> }, options: { durationSeconds: number, connections: number, warmupSeconds: number }, log: (line: string) => void }} spec
 */
export async function measureInterleaved({ baseline, api, options, log }) {
  const roundSeconds = options.durationSeconds / ROUNDS_PER_SIDE;
  const sides = { baseline, api };
  if (options.warmupSeconds > 0) {
    for (const [label, side] of Object.entries(sides)) {
      log(`  warm-up ${label} (${options.warmupSeconds} s)`);
      await measure({ ...side, connections: options.connections, durationSeconds: options.warmupSeconds });
    }
  }
  const rounds = { baseline: [], api: [] };
  for (let round = 1; round <= ROUNDS_PER_SIDE; round += 1) {
    for (const [label, side] of Object.entries(sides)) {
      const measured = await measure({ ...side, connections: options.connections, durationSeconds: roundSeconds });
      log(
        `  round ${round} ${label.padEnd(8)} ${Math.round(measured.requestsPerSecond)} req/s, p99 ${measured.latencyP99Ms} ms`,
      );
      rounds[label].push(measured);
    }
  }
  return { roundSeconds, baselineRounds: rounds.baseline, apiRounds: rounds.api };
}
