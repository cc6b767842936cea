// A bare Fastify server in its own process that answers one path with fixed bytes: the
// baseline the catalog-list and load benchmarks compare the API with (the HTTP ceiling of
// this machine for that response).
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { startChild } from './child.mjs';
import { freePort } from './free-port.mjs';

const FLAG = '--bare-fastify-baseline';

/**
 * Starts the baseline serving `body` with `contentType` at `path` (query strings ignored).
 * Its own process, like the API: sharing this process's event loop with the load generator
 * would make it look slower than it is and flatter the ratio.
 * @param {{ path: string, body: string, contentType: string }} spec
 * @returns {Promise<{ baseUrl: string, stop: () => Promise<void> }>}
 */
export async function startBareFastify({ path, body, contentType }) {
  const port = await freePort();
  const server = startChild({ label: 'baseline', script: fileURLToPath(import.meta.url), args: [FLAG], ipc: true });
  const ready = new Promise((resolve, reject) => {
    server.child.once('message', resolve);
    server.exited.then(({ code, signal }) =>
      reject(new Error(`baseline exited (${code ?? signal}) before listening:\n${server.output()}`)),
    );
  });
  server.child.send({ port, path: new URL(path, 'http://x').pathname, body, contentType });
  await ready;
  return { baseUrl: `http://127.0.0.1:${port}`, stop: server.stop };
}

/** Child side: one route, the fixed bytes, nothing else (no logger, no hooks). */
async function serve({ port, path, body, contentType }) {
  const payload = Buffer.from(body);
  const app = Fastify({ logger: false });
  app.get(path, (_request, reply) => {
    reply.header('content-type', contentType).send(payload);
  });
  await app.listen({ port, host: '127.0.0.1' });
  process.send?.({ listening: true });
}

if (import.meta.main && process.argv.includes(FLAG)) {
  // Die with the parent: an orphaned server must not outlive the benchmark.
  process.on('disconnect', () => process.exit(0));
  process.once('message', (message) => {
    serve(message).catch((error) => {
      console.error(error);
      process.exit(1);
    });
  });
}
