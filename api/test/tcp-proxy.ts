import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a real server (PostgreSQL here), that a fault test can
 * cut: the network between the API and its database, under the test's control.
 */
export interface TcpProxy {
  readonly port: number;
  /** Connections currently passing through. */
  readonly open: number;
  /**
   * Cuts the link. `refuse`: every proxied connection is reset and the port stops listening,
   * so new connects are refused (the server is down). `reset`: the port keeps accepting but
   * closes each connection at once (a proxy or load balancer with no healthy backend).
   */
  cut(mode: 'refuse' | 'reset'): Promise<void>;
  /** Passes connections through again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Socket>();
  let mode: 'pass' | 'reset' = 'pass';
  const server: Server = createServer((client) => {
    if (mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      pairs.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        pairs.delete(socket);
        other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const dropAll = () => {
    // An RST to the API side, like a server that died or a network that failed.
    for (const socket of pairs) socket.resetAndDestroy();
    pairs.clear();
  };
  const stopListening = () =>
    server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();

  return {
    port,
    get open() {
      return pairs.size / 2;
    },
    async cut(how) {
      if (how === 'refuse') {
        const closed = stopListening();
        dropAll();
        await closed;
      } else {
        mode = 'reset';
        dropAll();
      }
    },
    async restore() {
      mode = 'pass';
      if (!server.listening) {
        server.listen(port, '127.0.0.1');
        await once(server, 'listening');
      }
    },
    async close() {
      const closed = stopListening();
      dropAll();
      await closed;
    },
  };
}
