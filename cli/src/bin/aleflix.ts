#!/usr/bin/env node
// Entry point of the `aleflix` binary: run the command, and turn any failure into one line
// on stderr (the stack only with --debug) and a non-zero exit code.
import { buildProgram } from '../program.js';
import { exitCodeOf, formatError } from '../errors.js';

const debug = process.argv.includes('--debug');
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${formatError(error, debug)}\n`);
  process.exitCode = exitCodeOf(error);
}
