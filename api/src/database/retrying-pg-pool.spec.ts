import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RetryingPool } from './retrying-pg-pool.js';

/**
 * A loopback listener that drops the first `dropFirst` connections the moment they arrive
 * (what a restarting server or proxy does) and never speaks PostgreSQL after that: enough
 * to see which connect failures the pool tries again, without a database.
 */
async function dropper(dropFirst: number): Promise<{ port: number; accepted: () => number; close(): Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (accepted <= dropFirst) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    accepted: () => accepted,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const noWaiting = { host: '127.0.0.1', retryHooks: { delay: async () => {} } };

describe('RetryingPool', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('opens a connection again when the first tries are dropped, up to three tries in all', async () => {
    const server = await dropper(10);
    cleanups.push(server.close);
    const waits: number[] = [];
    const pool = new RetryingPool({
      host: '127.0.0.1',
      port: server.port,
      connectionTimeoutMillis: 5_000,
      retryHooks: { delay: async (ms) => void waits.push(ms) },
    });
    cleanups.push(() => pool.end());
    await expect(pool.connect()).rejects.toThrow('Connection terminated unexpectedly');
    expect(server.accepted()).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('answers the callback form (TypeORM, pool.query) with the final error', async () => {
    const server = await dropper(10);
    cleanups.push(server.close);
    const pool = new RetryingPool({ ...noWaiting, port: server.port, connectionTimeoutMillis: 5_000 });
    cleanups.push(() => pool.end());
    const error = await new Promise<Error | undefined>((resolve) => pool.connect((failure) => resolve(failure)));
    expect(error?.message).toBe('Connection terminated unexpectedly');
    await expect(pool.query('SELECT 1')).rejects.toThrow('Connection terminated unexpectedly');
  });

  it('does not try again after a connect timeout: the server is there but slow', async () => {
    // Accepts and then says nothing, like a server too busy to answer the startup message.
    const server = await dropper(0);
    cleanups.push(server.close);
    const pool = new RetryingPool({ ...noWaiting, port: server.port, connectionTimeoutMillis: 200 });
    cleanups.push(() => pool.end());
    await expect(pool.connect()).rejects.toThrow('Connection terminated due to connection timeout');
    expect(server.accepted()).toBe(1);
  });
});
