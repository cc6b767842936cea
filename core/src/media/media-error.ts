import { MEDIA_ERROR_CODES, type MediaErrorCode } from '../messages/messages.js';

/**
 * Codes where trying the same job again can help. Everything about the source itself
 * (unreadable, no video, too long...) fails the same way on every attempt, and a cancelled
 * job was cancelled on purpose; an encoder crash or a timeout on a busy machine may not
 * happen twice, and a missing source may still be arriving (eventually consistent stores).
 */
const RETRYABLE: ReadonlySet<MediaErrorCode> = new Set([
  'transcode_failed',
  'transcode_crashed',
  'transcode_timeout',
  'media_source_missing',
]);

/**
 * The one error type the media core throws on purpose. `code` is stable (it travels in
 * the `failed` event and drives retries); `message` is for humans and may change.
 */
export class MediaError extends Error {
  override readonly name = 'MediaError';
  readonly retryable: boolean;

  constructor(
    readonly code: MediaErrorCode,
    message: string = MEDIA_ERROR_CODES[code],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = RETRYABLE.has(code);
  }
}

export function isMediaError(error: unknown, code?: MediaErrorCode): error is MediaError {
  return error instanceof MediaError && (code === undefined || error.code === code);
}
