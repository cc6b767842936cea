// Entry of `npm run bench`: runs every benchmark in bench/ (or the ones named on the
// command line), prints a report and writes bench/results/<name>.json. Exits 1 only when
// a benchmark broke (threw, or saw failed requests); a FAIL verdict is a finding, not an
// error, so it exits 0.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runPendingCleanups } from './lib/cleanup.mjs';
import { readOptions } from './lib/options.mjs';
import { errorResult, formatReport, isBroken } from './lib/report.mjs';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');

/** Every top-level .mjs file except this one is a benchmark named after its file. */
function discover() {
  return readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.mjs') && file !== 'run.mjs' && !file.endsWith('.test.mjs'))
    .map((file) => file.slice(0, -'.mjs'.length))
    .sort();
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
  const unknown = requested.filter((name) => !available.includes(name));
  if (unknown.length) {
    console.error(`bench: unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
    return 2;
  }
  const options = readOptions(process.env);
  const log = (line) => console.log(line);
  let broken = false;
  mkdirSync(RESULTS_DIR, { recursive: true });

  for (const name of requested.length ? requested : available) {
    log(`\n== ${name} ==`);
    const startedAt = new Date().toISOString();
    let result;
    try {
      const benchmark = await import(pathToFileURL(join(BENCH_DIR, `${name}.mjs`)).href);
      result = await benchmark.run({ options, log });
    } catch (error) {
      result = errorResult({ name, error, startedAt, finishedAt: new Date().toISOString() });
    } finally {
      await runPendingCleanups();
    }
    const file = join(RESULTS_DIR, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`\n${formatReport(result)}  written to ${relative(process.cwd(), file)}`);
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
