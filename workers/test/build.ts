import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const WORKERS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKER_BIN = join(WORKERS_DIR, 'dist', 'bin', 'aleflix-worker.js');

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSource(path));
    else if (entry.name.endsWith('.ts') && !/\.(spec|test)\.ts$/.test(entry.name))
      newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/**
 * The binary tests run the built `dist/bin/aleflix-worker.js`, as a deployment would.
 * `scripts/test.sh` builds it first; when it is missing or older than the sources (a run of
 * vitest alone after an edit), it is rebuilt here with the workspace's tsc.
 */
export async function ensureWorkerBuilt(): Promise<void> {
  const built = await stat(WORKER_BIN).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  if (built >= (await newestSource(join(WORKERS_DIR, 'src')))) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', join(WORKERS_DIR, 'tsconfig.json')], {
    cwd: WORKERS_DIR,
    timeout: 120_000,
  });
}
