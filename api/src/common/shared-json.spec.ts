import { describe, expect, it } from 'vitest';
import { serializeJson, shareJson } from './shared-json.js';

describe('serializeJson', () => {
  it('is JSON.stringify for ordinary values', () => {
    expect(serializeJson({ a: 1, b: ['x'] })).toBe('{"a":1,"b":["x"]}');
    expect(serializeJson('text')).toBe('"text"');
    expect(serializeJson(null)).toBe('null');
  });

  it('renders a shared value once, as the UTF-8 bytes of its JSON', () => {
    const value = shareJson({ name: 'São Paulo', items: [1, 2] });
    const first = serializeJson(value);
    expect(Buffer.isBuffer(first)).toBe(true);
    expect(first.toString()).toBe(JSON.stringify(value));
    expect(serializeJson(value)).toBe(first);
  });
});
