import type { ReceiveOptions, SendOptions } from './queue.port.js';

/** SQS limits, enforced by every adapter so that code tested on one works on the other. */
export const QUEUE_LIMITS = {
  maxMessages: 10,
  maxVisibilityTimeoutSeconds: 43_200,
  maxWaitSeconds: 20,
  maxDelaySeconds: 900,
  maxAttributes: 10,
  maxBatch: 10,
} as const;

/** A receive or send option outside SQS's limits. */
export class InvalidQueueOptionError extends RangeError {
  override readonly name = 'InvalidQueueOptionError';
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidQueueOptionError(`${name} must be an integer in ${min}..${max}, got ${value}`);
  }
}

export function validateReceiveOptions(options: ReceiveOptions): Required<ReceiveOptions> {
  checkInt('maxMessages', options.maxMessages, 1, QUEUE_LIMITS.maxMessages);
  checkInt('visibilityTimeoutSeconds', options.visibilityTimeoutSeconds, 0, QUEUE_LIMITS.maxVisibilityTimeoutSeconds);
  const waitSeconds = options.waitSeconds ?? 0;
  checkInt('waitSeconds', waitSeconds, 0, QUEUE_LIMITS.maxWaitSeconds);
  return { maxMessages: options.maxMessages, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds, waitSeconds };
}

export function validateVisibilityTimeout(seconds: number): void {
  checkInt('visibilityTimeoutSeconds', seconds, 0, QUEUE_LIMITS.maxVisibilityTimeoutSeconds);
}

export function validateSendOptions(options: SendOptions | undefined): {
  attributes: Record<string, string>;
  delaySeconds: number;
} {
  const delaySeconds = options?.delaySeconds ?? 0;
  checkInt('delaySeconds', delaySeconds, 0, QUEUE_LIMITS.maxDelaySeconds);
  const attributes = options?.attributes ?? {};
  const names = Object.keys(attributes);
  if (names.length > QUEUE_LIMITS.maxAttributes) {
    throw new InvalidQueueOptionError(`at most ${QUEUE_LIMITS.maxAttributes} attributes, got ${names.length}`);
  }
  for (const name of names) {
    const value = attributes[name];
    // SQS refuses empty attribute values and names outside this alphabet.
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || typeof value !== 'string' || value === '') {
      throw new InvalidQueueOptionError(
        `attribute ${JSON.stringify(name)} must have a name of [A-Za-z0-9_.-] and a non-empty string value`,
      );
    }
  }
  return { attributes, delaySeconds };
}
