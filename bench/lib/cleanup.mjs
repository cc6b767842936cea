// One place that knows what must be undone (child processes, throwaway databases, temp
// folders), so that Ctrl-C or an exception never leaves a server or a database behind.

/** @type {Set<() => Promise<void> | void>} */
const tasks = new Set();

/** Registers an undo step; call the returned function once the step has been done normally. */
export function onCleanup(task) {
  tasks.add(task);
  return () => tasks.delete(task);
}

/** Runs the pending undo steps, newest first (a server stops before its database is dropped). */
export async function runPendingCleanups() {
  for (const task of [...tasks].reverse()) {
    tasks.delete(task);
    try {
      await task();
    } catch (error) {
      console.error(`bench: cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
