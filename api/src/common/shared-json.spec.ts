import { describe, expect, it } from 'vitest';
import { JsonText } from './json-text.js';
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

  it('sends JsonText as its own bytes, encoded once', () => {
    const body = new JsonText<{ city: string }>('{"city":"São Paulo"}');
    const first = serializeJson(body);
    expect(first.toString()).toBe('{"city":"São Paulo"}');
    expect(serializeJson(body)).toBe(first);
    expect(body.parse()).toEqual({ city: 'São Paulo' });
  });
});
