import { describe, expect, it } from 'vitest';
import { ReadCoalescer } from './read-coalescer.js';

/** A read whose completion the test controls, answering with the data version it started at. */
function controlledReads() {
  let version = 0;
  const started: Array<{ at: number; finish: () => void; fail: (error: Error) => void }> = [];
  const read = () =>
    new Promise<number>((resolve, reject) => {
      const at = version;
      started.push({ at, finish: () => resolve(at), fail: reject });
    });
  return { read, started, write: () => (version += 1) };
}

/** Lets the coalescer start what it scheduled (it starts batches at the end of a loop turn). */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadCoalescer', () => {
  it('runs a lone read on the next turn and forgets the key afterwards', async () => {
    const reads = new ReadCoalescer();
    const { read, started } = controlledReads();
    const answer = reads.run('k', read);
    await nextTurn();
    expect(started).toHaveLength(1);
    started[0]!.finish();
    await expect(answer).resolves.toBe(0);
    expect(reads.activeKeys).toBe(0);
  });

  it('gives callers of the same turn one read', async () => {
    const reads = new ReadCoalescer();
    const { read, started } = controlledReads();
    const answers = [reads.run('k', read), reads.run('k', read), reads.run('k', read)];
    await nextTurn();
    expect(started).toHaveLength(1);
    started[0]!.finish();
    expect(await Promise.all(answers)).toEqual([0, 0, 0]);
  });

  it('never hands a caller the read already running when it asked', async () => {
    const reads = new ReadCoalescer();
    const { read, started, write } = controlledReads();
    const first = reads.run('k', read);
    await nextTurn();
    write(); // committed after the first read started, before the next callers ask
    const later = [reads.run('k', read), reads.run('k', read), reads.run('k', read)];
    await nextTurn();
    expect(started).toHaveLength(1); // they wait for the running read to end
    started[0]!.finish();
    await expect(first).resolves.toBe(0);
    await nextTurn();
    // The three waiting callers share ONE new read, which sees the write.
    expect(started).toHaveLength(2);
    started[1]!.finish();
    expect(await Promise.all(later)).toEqual([1, 1, 1]);
    expect(reads.activeKeys).toBe(0);
  });

  it('keeps keys apart', async () => {
    const reads = new ReadCoalescer();
    const { read, started } = controlledReads();
    const a = reads.run('a', read);
    const b = reads.run('b', read);
    await nextTurn();
    expect(started).toHaveLength(2);
    for (const read of started) read.finish();
    await Promise.all([a, b]);
  });

  it('fails only the callers of a failed read; the next batch reads again', async () => {
    const reads = new ReadCoalescer();
    const { read, started } = controlledReads();
    const first = reads.run('k', read);
    await nextTurn();
    const next = reads.run('k', read);
    started[0]!.fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await nextTurn();
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await expect(next).resolves.toBe(0);
  });

  it('turns a read that throws synchronously into a rejection', async () => {
    const reads = new ReadCoalescer();
    await expect(
      reads.run('k', () => {
        throw new Error('bad query');
      }),
    ).rejects.toThrow('bad query');
    expect(reads.activeKeys).toBe(0);
  });
});
