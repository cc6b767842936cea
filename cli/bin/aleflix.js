#!/usr/bin/env node
// The installed `aleflix` command. It runs the compiled CLI; this file exists before any
// build, so npm can link the command at install time.
try {
  await import('../dist/bin/aleflix.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('aleflix.js')) throw error;
  process.stderr.write('aleflix: the CLI is not built yet: run `npm run build -w @aleflix/cli`\n');
  process.exitCode = 1;
}
