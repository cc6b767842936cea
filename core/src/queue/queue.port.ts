/** One received message. `receipt` identifies this delivery (not the message). */
export interface ReceivedMessage {
  id: string;
  receipt: string;
  /** The raw JSON text; validate with the message schemas before use. */
  body: string;
  /** How many times this message has been received, this delivery included. */
  receiveCount: number;
  /** String attributes, e.g. `traceparent` (W3C trace context). */
  attributes: Record<string, string>;
  sentAt: Date;
}

export interface SendOptions {
  attributes?: Record<string, string>;
  delaySeconds?: number;
}

export interface ReceiveOptions {
  /** 1..10 */
  maxMessages: number;
  /** How long received messages stay invisible to other consumers. */
  visibilityTimeoutSeconds: number;
  /** Long polling: wait up to this long for a message (0 = return at once). */
  waitSeconds?: number;
}

export interface QueueStats {
  visible: number;
  inFlight: number;
  /** Age of the oldest visible message; null when none, or always when the queue cannot tell (see tellsMessageAge). */
  oldestAgeSeconds: number | null;
}

/** The reason of a message dead-lettered because it was received `maxReceives` times. */
export const MAX_RECEIVES_EXCEEDED = 'max_receives_exceeded';

export interface DeadLetter {
  id: string;
  body: string;
  receiveCount: number;
  attributes: Record<string, string>;
  sentAt: Date;
  /** Why it was dead-lettered, when the adapter knows. */
  reason?: string;
}

/**
 * A queue with SQS semantics: at-least-once delivery, a visibility timeout, a receive count,
 * and dead-lettering after `maxReceives` deliveries. Two adapters: a durable queue in the
 * database (embedded default) and SQS with a redrive policy (production).
 */
export interface MessageQueue {
  readonly name: string;
  /** Whether `stats()` knows the age of the oldest message (SQS does not: its API has no such attribute). */
  readonly tellsMessageAge: boolean;
  send(body: string, options?: SendOptions): Promise<string>;
  sendBatch(bodies: Array<{ body: string; options?: SendOptions }>): Promise<string[]>;
  receive(options: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Acknowledges a delivery. Deleting with a stale receipt is a no-op. */
  delete(receipt: string): Promise<void>;
  deleteBatch(receipts: string[]): Promise<void>;
  /** Extends (heartbeat) or ends (0 = release now) the invisibility of a delivery. */
  changeVisibility(receipt: string, visibilityTimeoutSeconds: number): Promise<void>;
  stats(): Promise<QueueStats>;
  /** Messages that exceeded maxReceives, newest first. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
  /**
   * How many messages sit in this queue's dead letters (the metric behind the "dead-letter
   * queue not empty" alert). Approximate on SQS; 0 when there is no dead-letter queue.
   */
  deadLetterCount?(): Promise<number>;
  /**
   * Dead-letters one delivery now, with the consumer's reason (a poison message: invalid
   * body, unknown version), instead of letting it use up its remaining receives. False when
   * it could not be parked (a stale receipt, or no dead-letter queue to park it in): the
   * caller then deletes it. Optional: a queue without it can only delete such messages.
   */
  deadLetterMessage?(message: ReceivedMessage, reason: string): Promise<boolean>;
}
