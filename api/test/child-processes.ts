import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids of the live children of `parent` running `command` with `argument` among its
 * arguments (Linux /proc): how process tests find the ffmpeg a worker started, e.g. the
 * one-pass encode, which is the ffmpeg that reports `-progress`, unlike the short sprite
 * assembly after it.
 */
export function childProcesses(parent: number, command: string, argument: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readSafe(`/proc/${entry}/stat`);
    if (!stat) continue;
    // "pid (comm) state ppid …"; comm may itself hold spaces or parentheses.
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [state, ppid] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(0, 2);
    if (name !== command || Number(ppid) !== parent || state === 'Z') continue;
    if (readSafe(`/proc/${entry}/cmdline`)?.split('\0').includes(argument)) pids.push(Number(entry));
  }
  return pids;
}

/** Whether `pid` still runs (a zombie does not count). */
export function isAlive(pid: number): boolean {
  const stat = readSafe(`/proc/${pid}/stat`);
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function readSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
