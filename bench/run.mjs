// Entry of `npm run bench`: runs every benchmark in bench/ (or the ones named on the
// command line), prints a report and writes bench/results/<name>.json. Exits 1 only when
// a benchmark broke (threw, or saw failed requests); a FAIL verdict is a finding, not an
// error, so it exits 0.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runPendingCleanups } from './lib/cleanup.mjs';
import { readOptions } from './lib/options.mjs';
import { errorResult, formatReport, isBroken } from './lib/report.mjs';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');

/**
 * Every top-level .mjs file except this one is a benchmark named after its file, and so is
 * every folder with an index.mjs (bench/web/index.mjs is `web`). Name → module path.
 */
function discover() {
  const found = new Map();
  for (const entry of readdirSync(BENCH_DIR, { withFileTypes: true })) {
    if (
      entry.isFile() &&
      entry.name.endsWith('.mjs') &&
      entry.name !== 'run.mjs' &&
      !entry.name.endsWith('.test.mjs')
    ) {
      found.set(entry.name.slice(0, -'.mjs'.length), join(BENCH_DIR, entry.name));
    } else if (entry.isDirectory() && existsSync(join(BENCH_DIR, entry.name, 'index.mjs'))) {
      found.set(entry.name, join(BENCH_DIR, entry.name, 'index.mjs'));
    }
  }
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

// Ctrl-C or a kill must still stop the servers and drop the throwaway databases.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, cleaning up`);
    runPendingCleanups().finally(() => process.exit(130));
  });
}

async function main() {
  const available = discover();
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !available.has(name));
  if (unknown.length) {
    console.error(`bench: unknown benchmark ${unknown.join(', ')}; available: ${[...available.keys()].join(', ')}`);
    return 2;
  }
  const options = readOptions(process.env);
  const log = (line) => console.log(line);
  let broken = false;
  mkdirSync(RESULTS_DIR, { recursive: true });

  for (const name of requested.length ? requested : available.keys()) {
    log(`\n== ${name} ==`);
    const startedAt = new Date().toISOString();
    let result;
    let format = formatReport;
    try {
      const benchmark = await import(pathToFileURL(available.get(name)).href);
      // A benchmark whose result is not the ratio shape brings its own report.
      if (typeof benchmark.formatReport === 'function') format = benchmark.formatReport;
      result = await benchmark.run({ options, log });
    } catch (error) {
      result = errorResult({ name, error, startedAt, finishedAt: new Date().toISOString() });
    } finally {
      await runPendingCleanups();
    }
    const file = join(RESULTS_DIR, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    const text = result.verdict === 'ERROR' ? formatReport(result) : format(result);
    log(`\n${text}  written to ${relative(process.cwd(), file)}`);
    broken ||= isBroken(result);
  }
  return broken ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error);
    await runPendingCleanups();
    process.exit(1);
  },
);
