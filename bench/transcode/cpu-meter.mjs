// CPU seconds of every ffmpeg/ffprobe process a side starts, worker's included: wall time
// on a shared 2-core machine swings with whatever else runs, CPU time much less. Each real
// binary is called through a bash wrapper that appends its `times` (user and system time
// of its children) to a file; a side's total is the sum of the files it produced.
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `0m1.250s 0m0.040s` → 1.29 (user + system). */
export function parseBashTimesLine(line) {
  const seconds = [...line.matchAll(/(\d+)m(\d+(?:\.\d+)?)s/g)].map(
    (match) => Number(match[1]) * 60 + Number(match[2]),
  );
  return seconds.reduce((sum, value) => sum + value, 0);
}

export function createCpuMeter(dir, binaries) {
  const logs = join(dir, 'times');
  mkdirSync(logs, { recursive: true });
  const wrap = (name, real) => {
    const path = join(dir, name);
    // `times` prints two lines: the shell's own time, then its children's (the real
    // binary). Redirected, not piped: in a pipeline it would run in a subshell with no children.
    const quote = (text) => `'${text.replaceAll("'", `'\\''`)}'`;
    writeFileSync(path, `#!/bin/bash\n${quote(real)} "$@"\nrc=$?\ntimes > ${quote(logs)}/$$.times\nexit $rc\n`);
    chmodSync(path, 0o755);
    return path;
  };
  return {
    binaries: { ffmpeg: wrap('ffmpeg', binaries.ffmpeg), ffprobe: wrap('ffprobe', binaries.ffprobe) },
    /** CPU seconds recorded since the last call, then forgotten. */
    take() {
      let total = 0;
      for (const file of readdirSync(logs)) {
        total += parseBashTimesLine(readFileSync(join(logs, file), 'utf8').trim().split('\n').at(-1) ?? '');
        rmSync(join(logs, file));
      }
      return total;
    },
  };
}
