// Writing results: JSON for scripts (one document, or one event per line), text for people.

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Notes that are not the command's output (progress, hints) go to stderr. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}
