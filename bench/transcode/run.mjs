// Transcoding benchmark: the worker core against plain ffmpeg, as ratios measured in one run.
//
//   (a) transcode() from @aleflix/core: probe, plan, the single ffmpeg pass, sprite
//       assembly, VTT, master playlist: everything a worker does between download and upload;
//   (b) the same single ffmpeg command run by hand (printed, so anyone can paste it);
//   (c) one ffmpeg run per rendition, one after the other: the naive alternative, which
//       decodes the source once per rendition (the first run also makes poster and tiles).
//
// Targets (design brief): a/b <= 1.10 and c/a >= 1.5. A FAIL is a finding and exits 0;
// exit 1 means the benchmark itself broke.
//
//   node bench/transcode/run.mjs                       # 20 s 1080p30 source, 3 rounds
//   BENCH_TRANSCODE_SECONDS=6 node bench/transcode/run.mjs   # quick try
//
// Environment: BENCH_TRANSCODE_SECONDS (2–600, default 20), BENCH_TRANSCODE_ROUNDS (1–10,
// default 3), BENCH_SKIP_BUILD=1 to use core/dist as it is.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, createReadStream } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCpuMeter } from './cpu-meter.mjs';
import { formatReport, summarize } from './report.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CORE = join(REPO, 'core');

export const name = 'transcode';
export const description = 'worker transcode() vs the same single ffmpeg command vs one ffmpeg run per rendition';

function readNumber(env, key, fallback, min, max) {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${key} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

export function readTranscodeOptions(env = process.env) {
  return {
    seconds: readNumber(env, 'BENCH_TRANSCODE_SECONDS', 20, 2, 600),
    rounds: readNumber(env, 'BENCH_TRANSCODE_ROUNDS', 3, 1, 10),
    skipBuild: env.BENCH_SKIP_BUILD === '1',
  };
}

function newestMtime(dir, skip) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || skip(entry.name)) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds core/dist when it is missing or older than a source file (like the API benchmarks do). */
function ensureCoreBuilt(log, skipBuild) {
  const entry = join(CORE, 'dist', 'index.js');
  const stale =
    !existsSync(entry) || newestMtime(join(CORE, 'src'), (file) => file.endsWith('.spec.ts')) > statSync(entry).mtimeMs;
  if (!stale || skipBuild) return;
  log('  building core (core/dist is missing or older than core/src)');
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(CORE, 'tsconfig.json')], { stdio: 'inherit' });
}

/** Wall seconds of one child process, rejecting on a non-zero exit (a broken run is not a number). */
function timeProcess(binary, args, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(binary, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim()}`));
    });
  });
}

async function readThrough(path) {
  await pipeline(createReadStream(path), new Writable({ write: (_chunk, _enc, done) => done() }));
}

export async function run({ log = console.log, env = process.env } = {}) {
  const options = readTranscodeOptions(env);
  ensureCoreBuilt(log, options.skipBuild);
  const core = await import(pathToFileURL(join(CORE, 'dist', 'index.js')).href);
  const binaries = core.resolveFfmpegBinaries();

  // The source is made once and kept between runs: 20 s of 1080p takes longer to make
  // than to transcode on a small machine.
  const cacheDir = join(tmpdir(), 'aleflix-bench-transcode');
  mkdirSync(cacheDir, { recursive: true });
  const source = join(cacheDir, `source-1080p30-${options.seconds}s.mp4`);
  const clip = {
    durationSeconds: options.seconds,
    width: 1920,
    height: 1080,
    frameRate: 30,
    preset: 'veryfast',
    crf: 20,
  };
  if (!existsSync(source)) {
    log(`  generating the source (once): ${source}`);
    const partial = `${source}.partial.mp4`;
    await core.generateSyntheticClip(partial, clip);
    renameSync(partial, source);
  }

  const media = await core.probe(source, { binaries });
  const plan = core.planLadder(media);
  const poster = core.planPoster(media);
  const sprite = core.planSprite(media);
  const input = core.ffmpegFileUrl(source);
  const singleArgs = core.buildTranscodeArgs({ input, plan, poster, sprite });
  // Same encoder settings per rung; the stills ride along with the first run only.
  const perRenditionArgs = plan.rungs.map((rung, i) =>
    core.buildTranscodeArgs({
      input,
      plan: { ...plan, rungs: [rung] },
      poster: i === 0 ? poster : null,
      sprite: i === 0 ? sprite : null,
    }),
  );

  const scratch = join(tmpdir(), `aleflix-bench-transcode-${process.pid}`);
  const cleanup = () => rmSync(scratch, { recursive: true, force: true });
  process.once('exit', cleanup);
  const meter = createCpuMeter(join(scratch, 'meter'), binaries);
  const outputs = join(scratch, 'outputs');
  let dirCount = 0;
  /** A fresh output directory with the directories ffmpeg expects (created untimed). */
  const freshDir = () => {
    const dir = join(outputs, String(++dirCount));
    for (const sub of [...plan.rungs.map((rung) => rung.name), core.OUTPUT_FILES.spriteTilesDir]) {
      mkdirSync(join(dir, sub), { recursive: true });
    }
    return dir;
  };

  log(`  (b) command, run in an empty output directory:\n${core.formatCommandLine(binaries.ffmpeg, singleArgs)}\n`);

  // Every side runs its binaries through the CPU meter's wrappers, so each pays the same
  // (tiny) extra bash start per process.
  const metered = meter.binaries;
  const sides = {
    worker: async () => {
      const workDir = freshDir();
      const started = performance.now();
      const result = await core.transcode({ inputPath: source, workDir, options: { binaries: metered } });
      const seconds = (performance.now() - started) / 1000;
      if (result.renditions.length !== plan.rungs.length) throw new Error('transcode() made a different ladder');
      return seconds;
    },
    single: () => timeProcess(metered.ffmpeg, singleArgs, freshDir()),
    perRendition: async () => {
      const dir = freshDir();
      let total = 0;
      for (const args of perRenditionArgs) total += await timeProcess(metered.ffmpeg, args, dir);
      return total;
    },
  };

  try {
    await readThrough(source); // page cache warm for every side alike
    const rounds = { worker: [], single: [], perRendition: [] };
    const cpuRounds = { worker: [], single: [], perRendition: [] };
    for (let round = 0; round < options.rounds; round++) {
      // Alternate the order so that a machine getting busier or quieter favours no side.
      const order = round % 2 === 0 ? ['worker', 'single', 'perRendition'] : ['perRendition', 'single', 'worker'];
      for (const side of order) {
        meter.take();
        const nodeCpu = process.cpuUsage();
        const seconds = await sides[side]();
        // The worker's own JavaScript (progress parsing, playlists) counts too.
        const ownCpu =
          side === 'worker' ? Object.values(process.cpuUsage(nodeCpu)).reduce((a, b) => a + b, 0) / 1e6 : 0;
        const cpu = meter.take() + ownCpu;
        rounds[side].push(seconds);
        cpuRounds[side].push(cpu);
        log(`  round ${round + 1}  ${side.padEnd(13)} ${seconds.toFixed(2)} s wall  ${cpu.toFixed(2)} s cpu`);
        rmSync(outputs, { recursive: true, force: true });
      }
    }
    const result = {
      name,
      description,
      source: {
        path: source,
        description: `${options.seconds} s ${media.width}x${media.height} ${media.frameRate} fps testsrc2 + sine (${relative(tmpdir(), source)} in the temp dir)`,
      },
      ladder: plan.rungs.map(
        (rung) => `${rung.name} ${rung.width}x${rung.height} ${Math.round(rung.videoBitrate / 1000)}k`,
      ),
      commands: {
        single: core.formatCommandLine(binaries.ffmpeg, singleArgs),
        perRendition: perRenditionArgs.map((args) => core.formatCommandLine(binaries.ffmpeg, args)),
      },
      environment: {
        node: process.version,
        cpus: cpus().length,
        loadAverage: loadavg()
          .map((value) => value.toFixed(2))
          .join(' '),
        ffmpeg: execFileSync(binaries.ffmpeg, ['-version'], { encoding: 'utf8' }).split('\n')[0],
      },
      options,
      summary: summarize(rounds),
      cpuSummary: summarize(cpuRounds),
    };
    return { ...result, verdict: result.summary.verdict, problems: [] };
  } finally {
    cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
  run().then(
    (result) => {
      console.log(`\n${formatReport(result)}`);
      process.exit(0);
    },
    (error) => {
      console.error(`transcode benchmark ERRORED: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
      process.exit(1);
    },
  );
}
