import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../src/config/app-config.js';

export interface DatabaseTarget {
  name: string;
  /** A fresh, empty database of this engine; `dispose` drops it. */
  create(): Promise<{ database: DatabaseConfig; dispose(): Promise<void> }>;
}

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [
    {
      name: 'PGlite',
      create: async () => ({ database: { kind: 'pglite', dataDir: undefined }, dispose: async () => {} }),
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) targets.push({ name: 'PostgreSQL', create: () => createPostgresDatabase(url) });
  return targets;
}

/** Each test file gets its own throwaway database on the server, so files run in parallel. */
async function createPostgresDatabase(url: string): Promise<{ database: DatabaseConfig; dispose(): Promise<void> }> {
  const name = `aleflix_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    database: { kind: 'postgres', url: target.toString(), poolSize: 5 },
    dispose: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
