// Every failure reaches the user as one line: the API's problem detail and code, a network
// cause, or our own message. Stack traces only with --debug.
import { AleflixApiError, AleflixNetworkError } from '@aleflix/sdk';

/** An error meant for the user as is (no "unexpected" framing), with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function describeError(error: unknown): string {
  if (error instanceof AleflixApiError) {
    const problem = error.problem;
    if (!problem) return `the API answered ${error.status} without details (${error.method} ${pathOf(error.url)})`;
    const fields = (problem.errors ?? []).map((item) => `${item.field}: ${item.message}`).join('; ');
    const text = problem.detail ?? problem.title;
    return `${text}${fields && !text.includes(fields) ? ` — ${fields}` : ''} (${problem.code}, HTTP ${error.status})`;
  }
  if (error instanceof AleflixNetworkError) {
    const cause = error.message.split('failed without a response: ').pop() ?? error.message;
    return `cannot reach the API at ${originOf(error.url)}: ${cause}`;
  }
  if (error instanceof Error) {
    if (error.name === 'AbortError') return 'interrupted';
    return error.message.split('\n')[0] ?? error.message;
  }
  return String(error);
}

/** One line for the terminal; the stack (and cause chain) only when debugging. */
export function formatError(error: unknown, debug: boolean): string {
  const line = `aleflix: ${describeError(error)}`;
  if (!debug || !(error instanceof Error)) return line;
  const causes: string[] = [];
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) causes.push(`caused by: ${cause.stack}`);
  return [line, error.stack ?? '', ...causes].join('\n');
}

export function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : 1;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
