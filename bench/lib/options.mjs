// Benchmark options come from the environment so that `npm run bench` needs no flags.

const DEFAULTS = Object.freeze({ durationSeconds: 10, connections: 20, warmupSeconds: 3 });

/**
 * Reads BENCH_DURATION_SECONDS, BENCH_CONNECTIONS and BENCH_WARMUP_SECONDS.
 * Throws on nonsense instead of silently using a default: a typo must not produce a
 * benchmark that quietly ran with other settings than the ones asked for.
 * @param {Record<string, string | undefined>} env
 */
export function readOptions(env) {
  return {
    durationSeconds: number(env, 'BENCH_DURATION_SECONDS', DEFAULTS.durationSeconds, { min: 2, max: 600 }),
    connections: number(env, 'BENCH_CONNECTIONS', DEFAULTS.connections, { min: 1, max: 1000, integer: true }),
    warmupSeconds: number(env, 'BENCH_WARMUP_SECONDS', DEFAULTS.warmupSeconds, { min: 0, max: 60 }),
  };
}

function number(env, name, fallback, { min, max, integer = false }) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(
      `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got ${JSON.stringify(raw)})`,
    );
  }
  return value;
}
