import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { afterPendingIo, NearCache } from './near-cache.js';

/** A near cache whose invalidation feed is up. */
function live(maxEntries = 10): NearCache {
  const near = new NearCache(maxEntries);
  near.resume(near.pendingTicket());
  return near;
}

describe('NearCache', () => {
  it('serves what it was given while its feed is up', () => {
    const near = live();
    near.remember(near.ticket(), 'catalog', 'k', 3, 'v', 60_000);
    expect(near.lookup('catalog', 'k')).toEqual({ generation: '3', value: 'v' });
    expect(near.lookup('catalog', 'other')).toBeUndefined();
    expect(near.lookup('playback', 'k')).toBeUndefined();
  });

  it('keeps and serves nothing before its feed is up', () => {
    const near = new NearCache(10);
    near.remember(near.ticket(), 'catalog', 'k', 0, 'v', 60_000);
    expect(near.size).toBe(0);
    expect(near.lookup('catalog', 'k')).toBeUndefined();
  });

  it('stops serving a namespace once a newer generation is seen, and only that namespace', () => {
    const near = live();
    near.remember(near.ticket(), 'catalog', 'k', 3, 'v', 60_000);
    near.remember(near.ticket(), 'playback', 'k', 1, 'p', 60_000);
    near.observe('catalog', 4);
    expect(near.lookup('catalog', 'k')).toBeUndefined();
    expect(near.lookup('playback', 'k')).toEqual({ generation: '1', value: 'p' });
    // An older announcement arriving late changes nothing.
    near.observe('catalog', 2);
    near.remember(near.ticket(), 'catalog', 'k', 4, 'new', 60_000);
    expect(near.lookup('catalog', 'k')?.value).toBe('new');
  });

  it('does not keep a value read under a generation it already knows has ended', () => {
    const near = live();
    const ticket = near.ticket();
    // The invalidation message overtook the reply of a read made before it.
    near.observe('catalog', 5);
    near.remember(ticket, 'catalog', 'k', 4, 'stale', 60_000);
    expect(near.lookup('catalog', 'k')).toBeUndefined();
  });

  it('forgets everything when the feed drops, and trusts no read begun before it came back', () => {
    const near = live();
    near.remember(near.ticket(), 'catalog', 'k', 1, 'v', 60_000);
    const readBeforeTheGap = near.ticket();
    near.suspend();
    expect(near.active).toBe(false);
    expect(near.lookup('catalog', 'k')).toBeUndefined();
    expect(near.ticket()).toBe(-1);
    near.resume(near.pendingTicket());
    expect(near.active).toBe(true);
    // That read may have missed an invalidation announced during the gap.
    near.remember(readBeforeTheGap, 'catalog', 'k', 1, 'maybe stale', 60_000);
    expect(near.lookup('catalog', 'k')).toBeUndefined();
  });

  it('does not resume on a subscription made before the feed dropped again', () => {
    const near = new NearCache(10);
    const ticket = near.pendingTicket();
    near.suspend();
    near.resume(ticket);
    expect(near.active).toBe(false);
  });

  it('lets entries expire with their shared copy', async () => {
    const near = live();
    near.remember(near.ticket(), 'catalog', 'k', 1, 'v', 1);
    near.remember(near.ticket(), 'catalog', 'none', 1, 'v', 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(near.lookup('catalog', 'k')).toBeUndefined();
    expect(near.lookup('catalog', 'none')).toBeUndefined();
  });

  it('holds at most its number of entries', () => {
    const near = live(2);
    for (const key of ['a', 'b', 'c']) near.remember(near.ticket(), 'catalog', key, 1, key, 60_000);
    expect(near.size).toBe(2);
    expect(near.lookup('catalog', 'a')).toBeUndefined();
    expect(near.lookup('catalog', 'c')?.value).toBe('c');
  });
});

describe('afterPendingIo', () => {
  it('resolves only after every I/O callback that was ready with the caller has run', async () => {
    // Two loopback connections whose data arrives together: whichever is handled first
    // waits on the gate, and by then the other's data must have been handled too.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const accepted: Socket[] = [];
    const bothAccepted = new Promise<void>((resolve) =>
      server.on('connection', (socket) => {
        accepted.push(socket);
        if (accepted.length === 2) resolve();
      }),
    );
    const clients = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    try {
      await bothAccepted;
      const handled: string[] = [];
      const outcome = new Promise<string[]>((resolve) => {
        for (const [index, socket] of accepted.entries()) {
          socket.once('data', () => {
            handled.push(`socket ${index}`);
            if (handled.length === 1) void afterPendingIo().then(() => resolve([...handled]));
          });
        }
      });
      for (const client of clients) client.write('x');
      expect((await outcome).sort()).toEqual(['socket 0', 'socket 1']);
    } finally {
      for (const socket of [...clients, ...accepted]) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is shared by the callers of one turn', async () => {
    const first = afterPendingIo();
    expect(afterPendingIo()).toBe(first);
    await first;
    expect(afterPendingIo()).not.toBe(first);
  });
});
