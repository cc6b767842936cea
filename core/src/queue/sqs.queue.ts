import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { awsRetrySettings } from '../aws/retry-settings.js';
import {
  QUEUE_LIMITS,
  validateReceiveOptions,
  validateSendOptions,
  validateVisibilityTimeout,
} from './queue-options.js';
import {
  MAX_RECEIVES_EXCEEDED,
  type DeadLetter,
  type MessageQueue,
  type QueueStats,
  type ReceivedMessage,
  type ReceiveOptions,
  type SendOptions,
} from './queue.port.js';

export interface SqsClientOptions {
  region: string;
  /** For SQS-compatible services and emulators (LocalStack, fauxqs). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * An SQSClient for `SqsMessageQueue`, retrying throttling, 5xx and network errors in the SDK's
 * standard mode (aws/retry-settings.ts). Every SQS client of the API and workers comes from here.
 */
export function createSqsClient(options: SqsClientOptions): SQSClient {
  return new SQSClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...awsRetrySettings(),
  });
}

export interface SqsMessageQueueOptions {
  /** A name for logs and metrics; SQS itself is addressed by `queueUrl`. */
  name: string;
  queueUrl: string;
  client: SQSClient;
  /** The DLQ of the queue's redrive policy; without it `deadLetters` returns nothing. */
  deadLetterQueueUrl?: string;
  /**
   * Without `deadLetterQueueUrl`, look the DLQ up from the queue's RedrivePolicy on first
   * use, so an application configured with the queue URL alone still lists and parks dead
   * letters. A queue without a redrive policy then has no dead letters, as before.
   */
  findDeadLetterQueue?: boolean;
}

/**
 * The message attribute that carries a consumer's reason on a message it dead-lettered
 * itself (`deadLetterMessage`); SQS keeps no reason of its own.
 */
export const DEAD_LETTER_REASON_ATTRIBUTE = 'aleflix-dead-letter-reason';

/**
 * SQS errors that mean "this receipt no longer names a delivery": the port makes those
 * calls no-ops rather than failures.
 */
const STALE_RECEIPT_CODES = ['ReceiptHandleIsInvalid', 'MessageNotInflight', 'InvalidReceiptHandle'];

/**
 * The production queue: SQS with a redrive policy (`ensureSqsQueues` for dev and tests;
 * production infrastructure creates the queues itself). SQS does the dead-lettering, after
 * `maxReceiveCount` deliveries.
 */
export class SqsMessageQueue implements MessageQueue {
  readonly name: string;
  readonly tellsMessageAge = false;
  readonly queueUrl: string;
  private readonly client: SQSClient;
  private readonly findDeadLetterQueue: boolean;
  /** The DLQ URL once known (undefined inside: the queue has none); retried after a failure. */
  private deadLetterQueue: Promise<string | undefined> | undefined;

  constructor(options: SqsMessageQueueOptions) {
    this.name = options.name;
    this.queueUrl = options.queueUrl;
    this.client = options.client;
    this.findDeadLetterQueue = options.findDeadLetterQueue ?? false;
    if (options.deadLetterQueueUrl) this.deadLetterQueue = Promise.resolve(options.deadLetterQueueUrl);
  }

  async send(body: string, options?: SendOptions): Promise<string> {
    const { attributes, delaySeconds } = validateSendOptions(options);
    const output = await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        DelaySeconds: delaySeconds,
        ...messageAttributes(attributes),
      }),
    );
    if (!output.MessageId) throw new Error(`SQS returned no message id (${this.name})`);
    return output.MessageId;
  }

  /** Sends in batches of 10 (SQS's limit); the ids come back in input order. */
  async sendBatch(bodies: Array<{ body: string; options?: SendOptions }>): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < bodies.length; start += QUEUE_LIMITS.maxBatch) {
      const chunk = bodies.slice(start, start + QUEUE_LIMITS.maxBatch);
      const output = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map(({ body, options }, i) => {
            const { attributes, delaySeconds } = validateSendOptions(options);
            return { Id: String(i), MessageBody: body, DelaySeconds: delaySeconds, ...messageAttributes(attributes) };
          }),
        }),
      );
      const failed = output.Failed ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw new Error(
          `SQS refused ${failed.length} of ${chunk.length} messages (${this.name}): ${first?.Code} ${first?.Message ?? ''}`,
        );
      }
      const byEntry = new Map((output.Successful ?? []).map((entry) => [entry.Id, entry.MessageId]));
      chunk.forEach((_, i) => {
        const id = byEntry.get(String(i));
        if (!id) throw new Error(`SQS returned no id for a batched message (${this.name})`);
        ids.push(id);
      });
    }
    return ids;
  }

  async receive(options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const { maxMessages, visibilityTimeoutSeconds, waitSeconds } = validateReceiveOptions(options);
    const messages = await this.receiveFrom(this.queueUrl, maxMessages, visibilityTimeoutSeconds, waitSeconds);
    return messages.flatMap((message) => {
      const received = toReceived(message);
      return received ? [received] : [];
    });
  }

  async delete(receipt: string): Promise<void> {
    try {
      await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }));
    } catch (error) {
      if (!isStaleReceipt(error)) throw error;
    }
  }

  async deleteBatch(receipts: string[]): Promise<void> {
    for (let start = 0; start < receipts.length; start += QUEUE_LIMITS.maxBatch) {
      const chunk = receipts.slice(start, start + QUEUE_LIMITS.maxBatch);
      const output = await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((receipt, i) => ({ Id: String(i), ReceiptHandle: receipt })),
        }),
      );
      const failed = (output.Failed ?? []).filter(
        (entry) => !STALE_RECEIPT_CODES.includes(entry.Code?.split(/[.#]/).pop() ?? ''),
      );
      if (failed.length > 0) {
        const first = failed[0];
        throw new Error(
          `SQS could not delete ${failed.length} message(s) (${this.name}): ${first?.Code} ${first?.Message ?? ''}`,
        );
      }
    }
  }

  async changeVisibility(receipt: string, visibilityTimeoutSeconds: number): Promise<void> {
    validateVisibilityTimeout(visibilityTimeoutSeconds);
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.queueUrl,
          ReceiptHandle: receipt,
          VisibilityTimeout: visibilityTimeoutSeconds,
        }),
      );
    } catch (error) {
      if (!isStaleReceipt(error)) throw error;
    }
  }

  /** Approximate, as SQS reports them; SQS has no cheap age of the oldest message (CloudWatch does). */
  async stats(): Promise<QueueStats> {
    const output = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(output.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      oldestAgeSeconds: null,
    };
  }

  /** The DLQ's approximate size (visible and in flight, as a peek makes them in flight for a moment). */
  async deadLetterCount(): Promise<number> {
    const deadLetterQueueUrl = await this.deadLetterQueueUrl();
    if (!deadLetterQueueUrl) return 0;
    const output = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(output.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  /**
   * Peeks at the DLQ: receives with a visibility timeout of 0, so the messages stay there for
   * whoever redrives or inspects them. Limitations: SQS has no real peek, so every call
   * counts as a receive of those messages (their receive count grows, and a DLQ with its own
   * redrive policy would eventually move them); SQS returns a sample, so a large DLQ may not
   * show every message or `limit` of them; SQS keeps no reason, so a message without the one
   * `deadLetterMessage` attached was moved by the redrive policy (`max_receives_exceeded`);
   * "newest first" is by the time the message was sent to the DLQ's source (or, for parked
   * messages, to the DLQ), the only time SQS reports.
   */
  async deadLetters(limit: number): Promise<DeadLetter[]> {
    if (!Number.isInteger(limit) || limit < 1) return [];
    const deadLetterQueueUrl = await this.deadLetterQueueUrl();
    if (!deadLetterQueueUrl) return [];
    const seen = new Map<string, DeadLetter>();
    // Each round may return messages already seen (they are visible again at once); stop
    // when a round brings nothing new.
    for (let round = 0; round < Math.ceil(limit / QUEUE_LIMITS.maxMessages) + 2 && seen.size < limit; round++) {
      const batch = await this.receiveFrom(
        deadLetterQueueUrl,
        Math.min(QUEUE_LIMITS.maxMessages, limit - seen.size),
        0,
        0,
      );
      let fresh = 0;
      for (const message of batch) {
        const received = toReceived(message);
        if (!received || seen.has(received.id)) continue;
        fresh++;
        // Parked by a consumer (with its reason), or moved by SQS after maxReceiveCount.
        const { [DEAD_LETTER_REASON_ATTRIBUTE]: reason, ...attributes } = received.attributes;
        seen.set(received.id, {
          id: received.id,
          body: received.body,
          receiveCount: received.receiveCount,
          attributes,
          sentAt: received.sentAt,
          reason: reason ?? MAX_RECEIVES_EXCEEDED,
        });
      }
      if (fresh === 0) break;
    }
    return [...seen.values()].sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime()).slice(0, limit);
  }

  /**
   * Parks a poison delivery on the DLQ with the consumer's reason, then deletes it here. SQS
   * cannot move a message, so this is a send and a delete: if the delete fails, the message
   * comes back and may be parked twice. False when the queue has no DLQ.
   */
  async deadLetterMessage(message: ReceivedMessage, reason: string): Promise<boolean> {
    const deadLetterQueueUrl = await this.deadLetterQueueUrl();
    if (!deadLetterQueueUrl) return false;
    const attributes = { ...message.attributes, [DEAD_LETTER_REASON_ATTRIBUTE]: reason.slice(0, 1000) || 'unknown' };
    validateSendOptions({ attributes });
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MessageBody: message.body,
        ...messageAttributes(attributes),
      }),
    );
    await this.delete(message.receipt);
    return true;
  }

  private deadLetterQueueUrl(): Promise<string | undefined> {
    if (!this.deadLetterQueue && this.findDeadLetterQueue) {
      const lookup = findDeadLetterQueueUrl(this.client, this.queueUrl);
      // A failed lookup (the network, permissions) is tried again on the next call.
      lookup.catch(() => {
        if (this.deadLetterQueue === lookup) this.deadLetterQueue = undefined;
      });
      this.deadLetterQueue = lookup;
    }
    return this.deadLetterQueue ?? Promise.resolve(undefined);
  }

  private async receiveFrom(
    queueUrl: string,
    max: number,
    visibilityTimeout: number,
    waitSeconds: number,
  ): Promise<Message[]> {
    const output = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        VisibilityTimeout: visibilityTimeout,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        MessageAttributeNames: ['All'],
      }),
    );
    return output.Messages ?? [];
  }
}

/**
 * The DLQ URL of a queue's redrive policy, or undefined when it has none. SQS keeps DLQs in
 * the queue's own account and region, so the policy's target ARN names the queue.
 */
export async function findDeadLetterQueueUrl(client: SQSClient, queueUrl: string): Promise<string | undefined> {
  const output = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
  );
  const policy = output.Attributes?.RedrivePolicy;
  if (!policy) return undefined;
  const arn = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
  // arn:aws:sqs:<region>:<account>:<name>
  const [, , service, , account, name] = typeof arn === 'string' ? arn.split(':') : [];
  if (service !== 'sqs' || !account || !name) throw new Error(`Unreadable redrive policy of ${queueUrl}: ${policy}`);
  const found = await client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  if (!found.QueueUrl) throw new Error(`SQS returned no URL for the dead-letter queue ${name}`);
  return found.QueueUrl;
}

export interface EnsureSqsQueuesOptions {
  /** Deliveries before SQS moves a message to the DLQ (the redrive policy's maxReceiveCount). */
  maxReceives: number;
  /** The queue's default visibility timeout. */
  visibilityTimeoutSeconds: number;
  /** Defaults to `<name>-dlq`. */
  deadLetterName?: string;
}

export interface SqsQueueUrls {
  queueUrl: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

/**
 * Creates (or updates) a queue and its DLQ with a redrive policy, for local development and
 * tests; production infrastructure creates them itself. Idempotent.
 */
export async function ensureSqsQueues(
  client: SQSClient,
  name: string,
  options: EnsureSqsQueuesOptions,
): Promise<SqsQueueUrls> {
  const deadLetterName = options.deadLetterName ?? `${name}-dlq`;
  const dlq = await client.send(
    new CreateQueueCommand({
      QueueName: deadLetterName,
      Attributes: { MessageRetentionPeriod: String(14 * 24 * 3600) },
    }),
  );
  if (!dlq.QueueUrl) throw new Error(`SQS returned no URL for ${deadLetterName}`);
  const dlqAttributes = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const deadLetterQueueArn = dlqAttributes.Attributes?.QueueArn;
  if (!deadLetterQueueArn) throw new Error(`SQS returned no ARN for ${deadLetterName}`);

  const attributes = {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetterQueueArn,
      maxReceiveCount: String(options.maxReceives),
    }),
  };
  let queueUrl: string | undefined;
  try {
    queueUrl = (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
  } catch (error) {
    // The queue exists with other attributes: bring them in line.
    if (!hasCode(error, 'QueueAlreadyExists', 'QueueNameExists')) throw error;
    queueUrl = (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    if (queueUrl) await client.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes }));
  }
  if (!queueUrl) throw new Error(`SQS returned no URL for ${name}`);
  return { queueUrl, deadLetterQueueUrl: dlq.QueueUrl, deadLetterQueueArn };
}

function messageAttributes(attributes: Record<string, string>): {
  MessageAttributes?: Record<string, MessageAttributeValue>;
} {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return {};
  return {
    MessageAttributes: Object.fromEntries(
      entries.map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    ),
  };
}

function toReceived(message: Message): ReceivedMessage | null {
  if (!message.MessageId || !message.ReceiptHandle) return null;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    id: message.MessageId,
    receipt: message.ReceiptHandle,
    body: message.Body ?? '',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
    attributes,
    sentAt: Number.isFinite(sent) ? new Date(sent) : new Date(),
  };
}

function isStaleReceipt(error: unknown): boolean {
  if (hasCode(error, ...STALE_RECEIPT_CODES)) return true;
  // Real SQS answers a stale receipt on ChangeMessageVisibility with InvalidParameterValue
  // "... ReceiptHandle is invalid. Reason: Message does not exist or is not available ...".
  return hasCode(error, 'InvalidParameterValue') && /receipt ?handle/i.test((error as Error).message);
}

/**
 * SQS error codes arrive as `name`, `Code` or `__type`, sometimes qualified
 * (`AWS.SimpleQueueService.QueueNameExists`, `com.amazonaws.sqs#QueueNameExists`).
 */
function hasCode(error: unknown, ...codes: string[]): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, Code, __type } = error as { name?: unknown; Code?: unknown; __type?: unknown };
  return [name, Code, __type].some(
    (value) => typeof value === 'string' && codes.includes(value.split(/[.#]/).pop() ?? ''),
  );
}
