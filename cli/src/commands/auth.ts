import { createClient } from '@aleflix/sdk';
import type { Command } from 'commander';
import { DEFAULT_PROFILE } from '../config/config-store.js';
import { createContext } from '../context.js';
import { CliError, describeError } from '../errors.js';
import { renderFields } from '../output/table.js';
import { note, printJson, printLine } from '../output/print.js';
import { ask, canPrompt, readStdin } from '../output/prompt.js';
import { examples } from './shared.js';

interface LoginOptions {
  email?: string;
  password?: string;
  passwordStdin?: boolean;
  apiKey?: string;
}

export function registerAuth(program: Command): void {
  const login = program
    .command('login')
    .description('Sign in and keep the session (or an API key) in the config folder, file mode 0600')
    .option('-e, --email <email>', 'account email (asked when missing)')
    .option('-p, --password <password>', 'password (asked when missing; prefer --password-stdin in scripts)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--api-key <key>', 'use an API key instead of email and password')
    .action(async (options: LoginOptions, cmd: Command) => {
      const context = createContext(cmd);
      const profileLabel = context.profileName === DEFAULT_PROFILE ? '' : ` (profile ${context.profileName})`;
      if (options.apiKey) {
        const me = await createClient({ baseUrl: context.apiUrl, apiKey: options.apiKey }).auth.me();
        context.store.write(context.profileName, {
          apiUrl: context.apiUrl,
          email: me.user.email,
          apiKey: options.apiKey,
        });
        printLine(`Logged in to ${context.apiUrl} as ${me.user.email} (${me.role}, API key)${profileLabel}`);
        return;
      }
      const email = options.email ?? (canPrompt() ? (await ask('Email: ')).trim() : undefined);
      if (!email) throw new CliError('login needs --email (or a terminal to ask on), or --api-key');
      const password =
        options.password ??
        (options.passwordStdin
          ? await readStdin()
          : canPrompt()
            ? await ask('Password: ', { hidden: true })
            : undefined);
      if (!password)
        throw new CliError('login needs a password: --password-stdin, --password, or a terminal to ask on');
      const pair = await context.anonymousClient().auth.login({ email, password });
      context.store.write(context.profileName, {
        apiUrl: context.apiUrl,
        email: pair.user.email,
        accessToken: pair.accessToken,
        refreshToken: pair.refreshToken,
      });
      printLine(`Logged in to ${context.apiUrl} as ${pair.user.email} (${pair.user.role})${profileLabel}`);
    });
  examples(login, [
    'aleflix login --email admin@example.com',
    'echo "$PASSWORD" | aleflix login --email ops@example.com --password-stdin',
    'aleflix login --api-key alx_… --api-url https://api.example.com --profile prod',
  ]);

  const logout = program
    .command('logout')
    .description('End the session on the server and forget the credentials of this profile')
    .action(async (_options: object, cmd: Command) => {
      const context = createContext(cmd);
      const { profile } = context;
      if (profile.refreshToken) {
        const client = createClient({
          baseUrl: context.apiUrl,
          refreshToken: profile.refreshToken,
          ...(profile.accessToken ? { token: profile.accessToken } : {}),
        });
        // Forget the credentials even when the server cannot be told (it may be gone).
        await client.auth
          .logout()
          .catch((error: unknown) => note(`aleflix: the server was not told (${describeError(error)})`));
      }
      if (!profile.refreshToken && !profile.accessToken && !profile.apiKey) {
        printLine(`Not logged in${context.profileName === DEFAULT_PROFILE ? '' : ` (profile ${context.profileName})`}`);
        return;
      }
      context.store.write(context.profileName, { ...(profile.apiUrl ? { apiUrl: profile.apiUrl } : {}) });
      printLine('Logged out');
    });
  examples(logout, ['aleflix logout', 'aleflix logout --profile prod']);

  const whoami = program
    .command('whoami')
    .description('Show who the credentials belong to, their role and the API they talk to')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, cmd: Command) => {
      const context = createContext(cmd);
      const me = await context.client().auth.me();
      if (options.json) {
        printJson({
          ...me,
          apiUrl: context.apiUrl,
          profile: context.profileName,
          credentials: context.credentialSource(),
        });
        return;
      }
      printLine(
        renderFields([
          ['user', `${me.user.email} (${me.user.displayName})`],
          ['role', me.role],
          ['via', context.credentialSource()],
          ['api', context.apiUrl],
          ['profile', context.profileName],
        ]),
      );
    });
  examples(whoami, ['aleflix whoami', 'aleflix whoami --json --profile prod']);
}
