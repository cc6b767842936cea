import type { FastifyInstance } from 'fastify';
import { JsonText } from './json-text.js';

/** Values handed to several responses at once (see ReadCoalescer), and their JSON as UTF-8 bytes. */
const shared = new WeakSet<object>();
const encoded = new WeakMap<object, Buffer>();

/**
 * Marks a response body that many concurrent requests return as the very same object, so it
 * is turned into JSON once rather than once per response. The value must not change after.
 */
export function shareJson<T extends object>(value: T): T {
  shared.add(value);
  return value;
}

/**
 * JSON.stringify; for shared values, the bytes of the first call; for JsonText, its own bytes.
 * Bytes rather than text so that no response re-encodes (or re-measures) the same string.
 */
export function serializeJson(payload: unknown): string | Buffer {
  if (payload instanceof JsonText) return payload.toBuffer();
  if (typeof payload !== 'object' || payload === null || !shared.has(payload)) return JSON.stringify(payload);
  let bytes = encoded.get(payload);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(payload));
    encoded.set(payload, bytes);
  }
  return bytes;
}

/** Fastify's default reply serializer is JSON.stringify; this one is the same plus the memo. */
export function registerSharedJson(fastify: FastifyInstance): void {
  // Typed as returning a string, but Fastify sends whatever string or Buffer it gets back.
  fastify.setReplySerializer((payload) => serializeJson(payload) as string);
}
