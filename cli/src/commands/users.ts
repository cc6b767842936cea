import type { AleflixClient, User } from '@aleflix/sdk';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { CliError } from '../errors.js';
import { printJson, printLine } from '../output/print.js';
import { ask, canPrompt, readStdin } from '../output/prompt.js';
import { renderTable } from '../output/table.js';
import { examples, oneOf } from './shared.js';

const ROLES = ['viewer', 'editor', 'admin'] as const;

export function registerUsers(program: Command): void {
  const users = program.command('users').description('Accounts and roles (admins)');
  examples(users, ['aleflix users ls', 'aleflix users add --email ana@example.com --role editor']);

  const ls = users
    .command('ls')
    .description('List every account')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, cmd: Command) => {
      const client = createContext(cmd).client();
      const items: User[] = [];
      for await (const user of client.users.iterate()) items.push(user);
      if (options.json) return printJson(items);
      printLine(
        renderTable(items, [
          { header: 'EMAIL', value: (u) => u.email },
          { header: 'NAME', value: (u) => u.displayName, max: 30 },
          { header: 'ROLE', value: (u) => u.role },
          { header: 'DISABLED', value: (u) => (u.disabled ? 'yes' : '') },
          { header: 'ID', value: (u) => u.id },
        ]),
      );
    });
  examples(ls, ['aleflix users ls', 'aleflix users ls --json']);

  const add = users
    .command('add')
    .description('Create an account')
    .requiredOption('--email <email>', 'email')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, oneOf(ROLES), 'viewer')
    .option('--name <name>', 'display name')
    .option('--password <password>', 'initial password, ≥ 12 characters (asked when missing)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print JSON')
    .action(
      async (
        options: {
          email: string;
          role: User['role'];
          name?: string;
          password?: string;
          passwordStdin?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const client = createContext(cmd).client();
        const password =
          options.password ??
          (options.passwordStdin
            ? await readStdin()
            : canPrompt()
              ? await ask('Password for the new account: ', { hidden: true })
              : undefined);
        if (!password) throw new CliError('users add needs --password, --password-stdin or a terminal to ask on');
        const user = await client.users.create({
          email: options.email,
          password,
          role: options.role,
          ...(options.name ? { displayName: options.name } : {}),
        });
        if (options.json) return printJson(user);
        printLine(`Created ${user.email} (${user.role}, id ${user.id})`);
      },
    );
  examples(add, [
    'aleflix users add --email ana@example.com --role editor --name "Ana"',
    'pwgen 20 1 | aleflix users add --email bot@example.com --password-stdin',
  ]);

  const role = users
    .command('role')
    .description("Change an account's role")
    .argument('<user>', 'id or email')
    .argument('<role>', ROLES.join(' | '), oneOf(ROLES))
    .option('--json', 'print JSON')
    .action(async (ref: string, newRole: User['role'], options: { json?: boolean }, cmd: Command) => {
      const client = createContext(cmd).client();
      const user = await client.users.update(await userId(client, ref), { role: newRole });
      if (options.json) return printJson(user);
      printLine(`${user.email} is now ${user.role}`);
    });
  examples(role, ['aleflix users role ana@example.com admin']);

  const disable = users
    .command('disable')
    .description('Disable an account (its sessions and keys stop working); --enable undoes it')
    .argument('<user>', 'id or email')
    .option('--enable', 'enable the account again')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { enable?: boolean; json?: boolean }, cmd: Command) => {
      const client = createContext(cmd).client();
      const user = await client.users.update(await userId(client, ref), { disabled: !options.enable });
      if (options.json) return printJson(user);
      printLine(`${user.email} is ${user.disabled ? 'disabled' : 'enabled'}`);
    });
  examples(disable, ['aleflix users disable ana@example.com', 'aleflix users disable ana@example.com --enable']);
}

/** An id as is; an email looked up in the user list. */
async function userId(client: AleflixClient, ref: string): Promise<string> {
  if (!ref.includes('@')) return ref;
  for await (const user of client.users.iterate()) if (user.email.toLowerCase() === ref.toLowerCase()) return user.id;
  throw new CliError(`no user with email ${ref}`);
}
