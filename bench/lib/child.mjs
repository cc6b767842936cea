import { fork, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCleanup } from './cleanup.mjs';

const OUTPUT_LIMIT = 16_000;
/** Children still running; killed synchronously if this process exits without stopping them. */
const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts a Node child process and tracks it so that it is always stopped: by `stop()`,
 * by the pending cleanups on Ctrl-C, or with SIGKILL when this process exits.
 * `ipc: true` forks with an IPC channel (for servers that take their config by message).
 * @param {{ label: string, script: string, args?: string[], env?: NodeJS.ProcessEnv, cwd?: string, ipc?: boolean }} spec
 */
export function startChild({ label, script, args = [], env = process.env, cwd, ipc = false }) {
  const options = { env, cwd, stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] };
  const child = ipc ? fork(script, args, options) : spawn(process.execPath, [script, ...args], options);
  live.add(child);

  // Keep the tail of the output: it is what explains a crash or a failed start.
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });

  let stopping;
  const stop = (graceMs = 10_000) => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
        if (!done) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      forget();
    })();
    return stopping;
  };
  const forget = onCleanup(() => stop());

  return { label, child, exited, stop, output: () => output };
}
