// One WebSocket connection to GET /events as an awaitable queue: the subscribe loop asks for
// the next thing that happened (opened, a message, the end) instead of juggling callbacks.
import type { JobEventMessage } from '../generated/openapi.js';

/**
 * The part of the WebSocket API the client uses: the global `WebSocket` (Node ≥ 22, browsers,
 * Deno, Bun) or the `ws` package fit it.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

/** Opens a socket. `headers` is only given where the runtime's WebSocket can send them (Node). */
export type WebSocketFactory = (url: string, init: { headers?: Record<string, string> }) => WebSocketLike;

type Item =
  | { kind: 'open' }
  | { kind: 'message'; message: JobEventMessage }
  | { kind: 'end'; opened: boolean; code: number; reason: string }
  | { kind: 'aborted' };

const CONNECTING = 0;
const OPEN = 1;

// A map rather than a list, so a message type added to the spec fails to compile until it is
// listed here: unknown types are skipped, never handed over under a wrong type.
const KNOWN_TYPES: Record<JobEventMessage['type'], true> = {
  snapshot: true,
  'job.started': true,
  'job.progress': true,
  'job.ready': true,
  'job.failed': true,
  'asset.deleted': true,
};

/** A text frame as a message of version 1 and a known type; anything else is skipped. */
export function parseMessage(data: unknown): JobEventMessage | undefined {
  if (typeof data !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, type } = parsed as { v?: unknown; type?: unknown };
  return v === 1 && typeof type === 'string' && Object.hasOwn(KNOWN_TYPES, type)
    ? (parsed as JobEventMessage)
    : undefined;
}

export class SocketChannel {
  private readonly items: Item[] = [];
  private wake: (() => void) | undefined;
  private opened = false;
  private ended = false;
  private readonly onAbort = () => this.push({ kind: 'aborted' });

  constructor(
    private readonly socket: WebSocketLike,
    private readonly signal: AbortSignal | undefined,
  ) {
    socket.onopen = () => {
      this.opened = true;
      this.push({ kind: 'open' });
    };
    socket.onmessage = (event) => {
      const message = parseMessage(event.data);
      if (message) this.push({ kind: 'message', message });
    };
    // 'error' is always followed by 'close', which says how it ended.
    socket.onerror = () => undefined;
    socket.onclose = (event) => {
      if (this.ended) return;
      this.ended = true;
      this.push({ kind: 'end', opened: this.opened, code: event.code, reason: event.reason });
    };
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (signal?.aborted) this.onAbort();
  }

  async next(): Promise<Item> {
    while (this.items.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.items.shift()!;
  }

  /** Closes the socket (normal closure) and stops listening; safe to call more than once. */
  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.ended = true;
    // No-ops rather than null: `ws` throws an 'error' emitted without a listener.
    this.socket.onopen = () => undefined;
    this.socket.onmessage = () => undefined;
    this.socket.onclose = () => undefined;
    if (this.socket.readyState === CONNECTING || this.socket.readyState === OPEN) this.socket.close(1000);
  }

  private push(item: Item): void {
    this.items.push(item);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
