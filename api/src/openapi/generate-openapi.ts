import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { createApp } from '../app.factory.js';
import { AppConfig, parseEnv } from '../config/app-config.js';
import { createDataSource } from '../database/data-source.factory.js';
import { buildOpenApiDocument } from './openapi.document.js';

/**
 * Writes the OpenAPI document the running code would serve at /docs/openapi.json, as YAML.
 * `npm run openapi` writes the committed root openapi.yaml; CI regenerates it and fails
 * on any difference.
 */
async function main(): Promise<void> {
  const output = process.argv[2];
  const config = new AppConfig(parseEnv({ NODE_ENV: 'test', BACKGROUND_TASKS: 'false' }), {
    database: { kind: 'pglite', dataDir: undefined },
    jwtSecret: new Uint8Array(32),
  });
  // An empty in-memory database: enough for Nest to wire repositories, nothing is queried.
  const dataSource = await createDataSource(config.database);
  await dataSource.initialize();
  const app = await createApp({ config, dataSource, logger: false });
  const yaml = stringify(buildOpenApiDocument(app), { lineWidth: 0, aliasDuplicateObjects: false });
  await app.close();
  await dataSource.destroy();
  if (output) writeFileSync(output, yaml);
  else process.stdout.write(yaml);
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi generation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
