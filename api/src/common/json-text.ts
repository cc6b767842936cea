/**
 * A response body that is already JSON text, such as a page the database rendered itself.
 * The API sends the text as it is: no object is built from it and nothing serializes it
 * again. `T` is the shape the text has (the one the OpenAPI document states), for callers
 * and tests that do need the value.
 */
export class JsonText<T> {
  /** Never set: it only carries `T`, so a JsonText of one shape is not taken for another. */
  declare readonly shape?: T;
  private bytes: Buffer | undefined;

  constructor(readonly text: string) {}

  /** The UTF-8 bytes, encoded once however many responses send them. */
  toBuffer(): Buffer {
    this.bytes ??= Buffer.from(this.text);
    return this.bytes;
  }

  parse(): T {
    return JSON.parse(this.text) as T;
  }
}

/** A cache codec (CacheService.wrap): JsonText is stored as its text and read back without parsing. */
export function jsonTextCodec<T>(): { encode(value: JsonText<T>): string; decode(text: string): JsonText<T> } {
  return { encode: (value) => value.text, decode: (text) => new JsonText<T>(text) };
}
