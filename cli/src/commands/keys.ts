import type { Command } from 'commander';
import { createContext } from '../context.js';
import { note, printJson, printLine } from '../output/print.js';
import { renderTable } from '../output/table.js';
import { examples, oneOf, positiveInt } from './shared.js';

const ROLES = ['viewer', 'editor', 'admin'] as const;

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys for scripts and CI');
  examples(keys, ['aleflix keys create --name ci --role editor', 'aleflix keys ls']);

  const create = keys
    .command('create')
    .description('Create an API key; its secret is shown once')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--role <role>', `one of ${ROLES.join(', ')} (default: yours)`, oneOf(ROLES))
    .option('--expires-in-days <n>', 'expiry, in days from now', positiveInt)
    .option('--expires-at <iso>', 'expiry as an exact ISO 8601 time (e.g. 2027-01-31T00:00:00Z)')
    .option('--json', 'print JSON (with the secret)')
    .action(
      async (
        options: {
          name: string;
          role?: (typeof ROLES)[number];
          expiresInDays?: number;
          expiresAt?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const client = createContext(cmd).client();
        const key = await client.apiKeys.create({
          name: options.name,
          ...(options.role ? { role: options.role } : {}),
          ...(options.expiresInDays ? { expiresInDays: options.expiresInDays } : {}),
          ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
        });
        if (options.json) return printJson(key);
        printLine(key.key);
        note(
          `Created key "${key.name}" (${key.role}, id ${key.id}${key.expiresAt ? `, expires ${key.expiresAt}` : ''}). The secret above is not shown again.`,
        );
      },
    );
  examples(create, [
    'aleflix keys create --name ci --role editor --expires-in-days 90',
    'aleflix keys create --name contractor --expires-at 2027-01-31T00:00:00Z',
    'export ALEFLIX_API_KEY=$(aleflix keys create --name nightly)',
  ]);

  const ls = keys
    .command('ls')
    .description('List your API keys (admins see all)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, cmd: Command) => {
      const { items } = await createContext(cmd).client().apiKeys.list();
      if (options.json) return printJson(items);
      printLine(
        renderTable(items, [
          { header: 'ID', value: (k) => k.id },
          { header: 'NAME', value: (k) => k.name, max: 30 },
          { header: 'PREFIX', value: (k) => k.prefix },
          { header: 'ROLE', value: (k) => k.role },
          { header: 'LAST USED', value: (k) => k.lastUsedAt?.slice(0, 16) },
          { header: 'EXPIRES', value: (k) => k.expiresAt?.slice(0, 10) },
          { header: 'REVOKED', value: (k) => k.revokedAt?.slice(0, 10) },
        ]),
      );
    });
  examples(ls, ['aleflix keys ls', 'aleflix keys ls --json']);

  const revoke = keys
    .command('revoke')
    .description('Revoke an API key at once')
    .argument('<id>', 'key id')
    .action(async (id: string, _options: object, cmd: Command) => {
      await createContext(cmd).client().apiKeys.revoke(id);
      printLine(`Revoked key ${id}`);
    });
  examples(revoke, ['aleflix keys revoke 5b0c…']);
}
