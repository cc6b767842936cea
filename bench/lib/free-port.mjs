import { createServer } from 'node:net';

/**
 * Asks the kernel for a free loopback port. There is a short window in which another
 * process could take it; on a bench machine that is acceptable, and it lets the caller
 * know the port before the server prints anything.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
