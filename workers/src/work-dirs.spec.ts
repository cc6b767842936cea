import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support.js';
import {
  ABANDONED_AFTER_MS,
  createWorkDir,
  ownerTag,
  sweepStaleWorkDirs,
  WORK_DIR_PREFIX,
  workDirPrefix,
} from './work-dirs.js';

// The sweep on a real folder, with real processes: a pid that has exited, this process, and
// its parent (alive). Ages are set with utimes, never waited for.
let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await tempDir('work-dirs');
});
afterEach(async () => {
  await root.cleanup();
});

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** A folder as a worker would have left it, with a file inside, last touched `ageMs` ago. */
async function leftBehind(name: string, ageMs = 0): Promise<string> {
  const path = join(root.path, name);
  await mkdir(join(path, 'out'), { recursive: true });
  await writeFile(join(path, 'source'), 'partial download');
  const at = new Date(Date.now() - ageMs);
  await utimes(path, at, at);
  return name;
}

const list = async () => (await readdir(root.path)).sort();
const otherOwner = () => (ownerTag() === 'ffffffff' ? 'eeeeeeee' : 'ffffffff');

describe('sweepStaleWorkDirs', () => {
  it('removes folders of dead processes and of an earlier process with this pid, and keeps live ones', async () => {
    const dead = await leftBehind(`${workDirPrefix(randomUUID(), await deadPid())}a1b2c3`);
    // This process uses its own folders through createWorkDir: one with its pid it does not
    // know was left by an earlier process that had the same pid (a restarted runtime).
    const earlierLife = await leftBehind(`${workDirPrefix(randomUUID(), process.pid)}d4e5f6`);
    const parentAlive = await leftBehind(`${workDirPrefix(randomUUID(), process.ppid)}0a0b0c`);
    const inUse = await createWorkDir(root.path, randomUUID());
    try {
      const result = await sweepStaleWorkDirs(root.path);
      expect(result.removed.sort()).toEqual([dead, earlierLife].sort());
      expect(result.failed).toEqual([]);
      expect(await list()).toEqual([parentAlive, inUse.path.split('/').pop()].sort());
    } finally {
      await inUse.release();
    }
    expect(await list()).toEqual([parentAlive]);
  });

  it('trusts no pid of another host or PID namespace, and removes only what nobody touched for long', async () => {
    const foreign = otherOwner();
    const young = await leftBehind(`${WORK_DIR_PREFIX}${foreign}-${await deadPid()}-${randomUUID()}-aaaaaa`);
    const old = await leftBehind(
      `${WORK_DIR_PREFIX}${foreign}-${process.ppid}-${randomUUID()}-bbbbbb`,
      ABANDONED_AFTER_MS + 60_000,
    );
    // Ours, by a live process, but untouched for longer than any live delivery leaves it: a
    // dead pid reused by another process.
    const reused = await leftBehind(`${workDirPrefix(randomUUID(), process.ppid)}cccccc`, ABANDONED_AFTER_MS + 60_000);
    const result = await sweepStaleWorkDirs(root.path);
    expect(result.removed.sort()).toEqual([old, reused].sort());
    expect(await list()).toEqual([young]);
  });

  it('leaves alone whatever is not a work folder, and never follows a symlink', async () => {
    const stale = `${workDirPrefix(randomUUID(), await deadPid())}`;
    const elsewhere = await tempDir('work-dirs-target');
    try {
      await writeFile(join(elsewhere.path, 'precious'), 'keep me');
      await symlink(elsewhere.path, join(root.path, `${stale}link`));
      await writeFile(join(root.path, `${stale}file`), 'not a folder');
      await leftBehind('aleflix-workers-lambda-abc123', ABANDONED_AFTER_MS * 2);
      await leftBehind(`aleflix-${randomUUID()}-xyz123`, ABANDONED_AFTER_MS * 2);
      await leftBehind(`${WORK_DIR_PREFIX}not-ours`, ABANDONED_AFTER_MS * 2);
      const before = await list();
      expect(await sweepStaleWorkDirs(root.path)).toEqual({ removed: [], failed: [] });
      expect(await list()).toEqual(before);
      expect((await stat(join(elsewhere.path, 'precious'))).isFile()).toBe(true);
    } finally {
      await elsewhere.cleanup();
    }
  });

  it('treats a missing temp root as nothing to sweep', async () => {
    expect(await sweepStaleWorkDirs(join(root.path, 'missing'))).toEqual({ removed: [], failed: [] });
  });
});

describe('createWorkDir', () => {
  it('names the folder after its owner, pid and job, and removes it on release', async () => {
    const jobId = randomUUID();
    const work = await createWorkDir(root.path, jobId);
    expect(work.path.startsWith(join(root.path, `${WORK_DIR_PREFIX}${ownerTag()}-${process.pid}-${jobId}-`))).toBe(
      true,
    );
    expect((await stat(work.path)).mode & 0o777).toBe(0o700);
    await work.release();
    expect(await list()).toEqual([]);
  });
});
