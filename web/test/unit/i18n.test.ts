// Every visible string is translated: both locales have the same keys, and every key the app
// uses (t('…') with a literal, or a `prefix.${…}` family) exists in both.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WEB = fileURLToPath(new URL('../..', import.meta.url));
type Messages = { [key: string]: string | Messages };
const load = (code: string) =>
  JSON.parse(readFileSync(join(WEB, 'i18n', 'locales', `${code}.json`), 'utf8')) as Messages;
const flatten = (messages: Messages, prefix = ''): string[] =>
  Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'string' ? [prefix + key] : flatten(value, `${prefix}${key}.`),
  );
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(vue|ts)$/.test(name) ? [readFileSync(path, 'utf8')] : [];
  });

const ptBR = flatten(load('pt-BR'));
const en = flatten(load('en'));
const code = sources(join(WEB, 'app')).join('\n');

describe('translations', () => {
  it('pt-BR and en have the same keys and no empty messages', () => {
    expect([...en].sort()).toEqual([...ptBR].sort());
    for (const code of ['pt-BR', 'en']) {
      const empty = flatten(load(code)).filter((key) => {
        const value = key.split('.').reduce<Messages | string>((node, part) => (node as Messages)[part]!, load(code));
        return typeof value !== 'string' || value.trim() === '';
      });
      expect(empty, code).toEqual([]);
    }
  });

  it('has every literal key the app uses', () => {
    const used = [...code.matchAll(/\bt\(\s*'([\w.-]+)'/g)].map((match) => match[1]!);
    expect(used.length).toBeGreaterThan(50);
    const missing = [...new Set(used)].filter((key) => !ptBR.includes(key));
    expect(missing).toEqual([]);
  });

  it('has every member of the key families built at run time', () => {
    const families: Record<string, string[]> = {
      'kind.': ['movie', 'series'],
      'status.': ['draft', 'published', 'archived'],
      'assetStatus.': ['uploading', 'queued', 'processing', 'ready', 'failed', 'deleted'],
      'roles.': ['viewer', 'editor', 'admin'],
      'login.errors.': ['invalid', 'rateLimited', 'disabled', 'network', 'unknown'],
      'search.sorts.': ['relevance', '-createdAt', 'createdAt', 'name', '-name', '-year', 'year'],
    };
    const dynamic = [...code.matchAll(/t\(\s*`([\w.-]+\.)\$\{/g)].map((match) => match[1]!);
    for (const prefix of new Set(dynamic)) {
      expect(Object.keys(families), `unchecked key family ${prefix}`).toContain(prefix);
    }
    for (const [prefix, members] of Object.entries(families)) {
      for (const member of members) expect(ptBR, prefix + member).toContain(prefix + member);
    }
  });
});
