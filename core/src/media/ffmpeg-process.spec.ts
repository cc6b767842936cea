import { describe, expect, it } from 'vitest';
import { runFfmpeg } from './ffmpeg-process.js';
import { MediaError } from './media-error.js';

// The supervision (exit codes, stderr, kill on abort or timeout, progress on stdout) does not
// depend on what the child is, so a shell script stands in for ffmpeg: fast and exact.
const sh = (script: string) => ({ binary: '/bin/sh', args: ['-c', script], cwd: '/', timeoutMs: 10_000 });

async function rejection(promise: Promise<unknown>): Promise<MediaError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MediaError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('runFfmpeg', () => {
  it('resolves on exit 0 and passes on each progress block from stdout', async () => {
    const blocks: unknown[] = [];
    await runFfmpeg({
      ...sh(
        'printf "out_time_us=1000000\\nspeed=2x\\nprogress=continue\\n"; printf "out_time_us=2000000\\nprogress=end\\n"',
      ),
      onProgress: (block) => blocks.push(block),
    });
    expect(blocks).toEqual([
      { outTimeSeconds: 1, speed: 2, ended: false },
      { outTimeSeconds: 2, speed: null, ended: true },
    ]);
  });

  it('fails with transcode_failed and the last stderr lines on a non-zero exit', async () => {
    const script = 'for i in $(seq 1 30); do echo "line $i" >&2; done; echo "Error while opening encoder" >&2; exit 1';
    const error = await rejection(runFfmpeg(sh(script)));
    expect(error.code).toBe('transcode_failed');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^ffmpeg exited with code 1:\n/);
    expect(error.message).toContain('Error while opening encoder');
    expect(error.message).not.toContain('line 20\n');
  });

  it('fails with transcode_crashed, retryable, when a signal it was not sent ends it', async () => {
    const error = await rejection(runFfmpeg(sh('echo "frame=  12" >&2; kill -SEGV $$')));
    expect(error.code).toBe('transcode_crashed');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^ffmpeg was killed by SIGSEGV:\n/);
    expect(error.message).toContain('frame=  12');
  });

  it('reads exit status 128 + n, as a shell or container runtime reports a killed child, as a crash', async () => {
    const crashed = await rejection(runFfmpeg(sh('exit 137')));
    expect([crashed.code, crashed.message]).toEqual(['transcode_crashed', 'ffmpeg exited with code 137 (SIGKILL)']);
    // ffmpeg's own "interrupted" status is not a crash.
    expect((await rejection(runFfmpeg(sh('exit 255')))).code).toBe('transcode_failed');
  });

  it('kills the process and fails with transcode_cancelled on abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = runFfmpeg({ ...sh('exec sleep 30'), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(running);
    expect(error.code).toBe('transcode_cancelled');
    expect(error.retryable).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('does not start when already aborted', async () => {
    const error = await rejection(runFfmpeg({ ...sh('exit 0'), signal: AbortSignal.abort() }));
    expect(error.code).toBe('transcode_cancelled');
  });

  it('kills the process and fails with transcode_timeout when it runs too long', async () => {
    const error = await rejection(runFfmpeg({ ...sh('exec sleep 30'), timeoutMs: 100 }));
    expect(error.code).toBe('transcode_timeout');
  });

  it('fails with transcode_failed when the binary cannot be started', async () => {
    const error = await rejection(runFfmpeg({ ...sh(''), binary: '/nonexistent/ffmpeg' }));
    expect(error.code).toBe('transcode_failed');
    expect(error.message).toMatch(/Could not run ffmpeg/);
  });
});
