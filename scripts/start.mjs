// Runs the built API and web viewer side by side: output is passed through, the viewer's
// URL is printed once both answer, and Ctrl-C / SIGTERM stop both (the API drains first).
import { spawn } from 'node:child_process';

const apiPort = Number(process.env.PORT ?? 3000);
const webPort = Number(process.env.WEB_PORT ?? 3001);
const apiBase = `http://localhost:${apiPort}`;

const api = spawn(process.execPath, ['api/dist/main.js'], { stdio: 'inherit', env: process.env });
const web = spawn(process.execPath, ['web/.output/server/index.mjs'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, PORT: String(webPort), NUXT_PUBLIC_API_BASE: process.env.NUXT_PUBLIC_API_BASE ?? apiBase },
});

let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  web.kill(signal);
  api.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
for (const [name, child] of [
  ['API', api],
  ['viewer', web],
]) {
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`AleFlix ${name} exited (${code ?? 'signal'}); stopping.`);
      stop('SIGTERM');
    }
    if (api.exitCode !== null && web.exitCode !== null) process.exit(api.exitCode || 0);
  });
}

async function answers(url) {
  try {
    return (await fetch(url)).status < 500;
  } catch {
    return false;
  }
}
const deadline = Date.now() + 120_000;
while (!stopping && Date.now() < deadline) {
  if ((await answers(`${apiBase}/health/live`)) && (await answers(`http://localhost:${webPort}/`))) {
    console.log(`  AleFlix viewer http://localhost:${webPort}\n`);
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
