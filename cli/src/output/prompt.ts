// Questions on the terminal: a visible answer, a hidden one (passwords), a yes/no.
import { createInterface } from 'node:readline';
import { CliError } from '../errors.js';

export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

export function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  if (!canPrompt()) throw new CliError(`cannot ask "${question.trim()}" without a terminal; pass it as an option`);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (options.hidden) {
      // Echo nothing after the question: readline writes every keystroke through this method.
      const internals = rl as unknown as { _writeToOutput: (text: string) => void };
      let asked = false;
      internals._writeToOutput = (text: string) => {
        if (!asked) {
          process.stderr.write(text);
          asked = true;
        } else if (text.includes('\n')) process.stderr.write('\n');
      };
    }
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
  });
}

export async function confirm(question: string): Promise<boolean> {
  const answer = await ask(`${question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

/** All of standard input, trimmed (for --password-stdin). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Destructive commands: ask people, and require --yes from scripts. */
export async function confirmOrYes(what: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!canPrompt()) throw new CliError(`refusing to ${what} without --yes (no terminal to confirm on)`);
  if (!(await confirm(`${what[0]!.toUpperCase()}${what.slice(1)}?`))) throw new CliError('cancelled', 1);
}
