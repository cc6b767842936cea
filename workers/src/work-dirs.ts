import { createHash, randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { lstat, mkdir, readdir, rm, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Per-delivery work folders under the temp root, and the sweep that removes those a dead
 * worker left behind (SIGKILL, OOM kill, a Lambda runtime reset: no `finally` ran).
 *
 * A folder is named `aleflix-job-<owner>-<pid>-<jobId>-<random>`: `owner` hashes the host
 * name and the PID namespace, so `pid` means something only to a process with the same
 * owner (two containers sharing a temp volume see each other's pids as unrelated numbers).
 *
 * A sweep never touches a folder this process is using (a registry shared by every handler
 * in the process, filled before the folder is created), and removes any other one when:
 *
 * - its owner is ours and its pid is dead, or is our own pid (a Lambda runtime restarted in
 *   the same sandbox often gets the pid of the one that died, and this process's own live
 *   folders are all in the registry); or
 * - whoever made it, it has not been touched for ABANDONED_AFTER_MS: a live delivery touches
 *   its folder every TOUCH_EVERY_MS, so only a folder nobody has been running for that long
 *   gets there (one from another PID namespace, such as a restarted container's previous
 *   life, a host that rebooted, or a dead pid reused by an unrelated process).
 *
 * A pid is never trusted across owners, and age alone never removes a live delivery's folder
 * unless its process stopped running (SIGSTOP, a frozen VM) for that long; its heartbeats
 * stopped too, so its message has normally gone back to the queue by then.
 *
 * Anything else under the temp root, symlinks included, is left alone. Folders of workers
 * older than this scheme (`aleflix-<jobId>-…`) are not recognised.
 */
export const WORK_DIR_PREFIX = 'aleflix-job-';
export const TOUCH_EVERY_MS = 60_000;
export const ABANDONED_AFTER_MS = 60 * 60_000;

const NAME = /^aleflix-job-([0-9a-f]{8})-(\d+)-./;
/** Shared through globalThis: the API and tests may load this module more than once. */
const IN_USE_KEY = Symbol.for('aleflix.workers.workDirsInUse');
const inUse = ((globalThis as Record<symbol, unknown>)[IN_USE_KEY] ??= new Set<string>()) as Set<string>;

let ownTag: string | undefined;

/** Who may judge this process's pids: the host and the PID namespace (Linux), hashed. */
export function ownerTag(): string {
  if (ownTag) return ownTag;
  let namespace = '';
  try {
    namespace = readlinkSync('/proc/self/ns/pid');
  } catch {
    // No /proc (macOS, Windows): the host name alone.
  }
  ownTag = createHash('sha256').update(`${hostname()}\0${namespace}`).digest('hex').slice(0, 8);
  return ownTag;
}

/** The name every work folder of `jobId` made by process `pid` of `owner` starts with. */
export function workDirPrefix(jobId: string, pid = process.pid, owner = ownerTag()): string {
  return `${WORK_DIR_PREFIX}${owner}-${pid}-${jobId}-`;
}

export interface WorkDir {
  readonly path: string;
  /** Removes the folder and stops claiming it. */
  release(): Promise<void>;
}

/**
 * Creates a work folder for one delivery, registered as in use before it exists (so a sweep
 * running meanwhile in this process never takes it) and touched while it lives.
 */
export async function createWorkDir(tmpRoot: string, jobId: string): Promise<WorkDir> {
  const path = join(tmpRoot, workDirPrefix(jobId) + randomBytes(6).toString('hex'));
  inUse.add(path);
  try {
    await mkdir(path, { mode: 0o700 });
  } catch (error) {
    inUse.delete(path);
    throw error;
  }
  const touch = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, TOUCH_EVERY_MS);
  touch.unref();
  return {
    path,
    async release() {
      clearInterval(touch);
      try {
        await rm(path, { recursive: true, force: true });
      } finally {
        inUse.delete(path);
      }
    },
  };
}

export interface SweepResult {
  removed: string[];
  /** Stale folders that could not be removed (another user's, a read-only mount), with why. */
  failed: Array<{ name: string; error: string }>;
}

/** Removes the stale work folders directly under `tmpRoot` (see the rules at the top). */
export async function sweepStaleWorkDirs(tmpRoot: string): Promise<SweepResult> {
  const now = Date.now();
  const result: SweepResult = { removed: [], failed: [] };
  let names: string[];
  try {
    names = await readdir(tmpRoot);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw error;
  }
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match) continue;
    const path = join(tmpRoot, name);
    if (inUse.has(path)) continue;
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    const [, owner, pidText] = match;
    const pid = Number(pidText);
    const ownerGone = owner === ownerTag() && (pid === process.pid || !isAlive(pid));
    const abandoned = now - info.mtimeMs > ABANDONED_AFTER_MS;
    if (!ownerGone && !abandoned) continue;
    try {
      await rm(path, { recursive: true, force: true });
      result.removed.push(name);
    } catch (error) {
      result.failed.push({ name, error: String(error) });
    }
  }
  return result;
}

/** Whether a process with this pid exists in our PID namespace (EPERM: it does, as another user). */
function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
