import type { WebSocket } from 'ws';
import { matchesFilter, type EventsFilter, type JobEventMessage } from './events.dto.js';

/**
 * Close codes the server uses; 1001 and 1013 invite the client to reconnect. 4001 and 4003
 * mirror HTTP 401 and 403 for a socket whose credentials stopped passing after it opened (the
 * reason is the problem code the same credentials now get over HTTP): after 4001
 * `token_expired` a client renews its token and reconnects; after 4001 `token_invalid` (session
 * ended, API key revoked) or 4003 (`account_disabled`, `forbidden`: demoted below editor)
 * reconnecting with the same credentials is refused.
 */
export const CLOSE = {
  goingAway: { code: 1001, reason: 'server_shutdown' },
  internalError: { code: 1011, reason: 'internal_error' },
  slowConsumer: { code: 1013, reason: 'slow_consumer' },
  tokenExpired: { code: 4001, reason: 'token_expired' },
  tokenInvalid: { code: 4001, reason: 'token_invalid' },
  accountDisabled: { code: 4003, reason: 'account_disabled' },
  forbidden: { code: 4003, reason: 'forbidden' },
  /** The asset the stream watches was deleted: nothing more will follow. */
  assetDeleted: { code: 1000, reason: 'asset_deleted' },
} as const;

export type CloseReason = (typeof CLOSE)[keyof typeof CLOSE];

/** A client that lets this much pile up unread is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One open socket: what it asked for, whether it still answers pings, and the events that
 * arrive while its snapshot is being read (held back so the snapshot always comes first).
 */
export class EventSubscriber {
  private alive = true;
  private held: JobEventMessage[] | undefined = [];
  /** A close that waits for the snapshot and the held events to go out first. */
  private closeAfterStart: CloseReason | undefined;
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: WebSocket,
    private readonly filter: EventsFilter,
  ) {
    socket.on('pong', () => {
      this.alive = true;
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  deliver(message: JobEventMessage): void {
    if (!matchesFilter(this.filter, message)) return;
    if (this.held) this.held.push(message);
    else this.send(message);
  }

  /** Sends the snapshot, then what arrived meanwhile, then goes live. */
  start(snapshot: JobEventMessage[]): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const message of [...snapshot, ...held]) this.send(message);
    if (this.closeAfterStart) this.close(this.closeAfterStart);
  }

  /** Ends a stream that watches `assetId`, after whatever was delivered before (asset.deleted). */
  assetGone(assetId: string): void {
    if (this.filter.assetId !== assetId) return;
    if (this.held) this.closeAfterStart = CLOSE.assetDeleted;
    else this.close(CLOSE.assetDeleted);
  }

  /** One heartbeat round: a socket that did not answer the previous ping is cut off. */
  heartbeat(): void {
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  close(close: { code: number; reason: string }): void {
    this.socket.close(close.code, close.reason);
  }

  /** For a peer that never completes the closing handshake. */
  terminate(): void {
    this.socket.terminate();
  }

  private send(message: JobEventMessage): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CLOSE.slowConsumer);
      return;
    }
    this.socket.send(JSON.stringify(message));
  }
}
