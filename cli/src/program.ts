// The `aleflix` command tree. Each command file registers itself; errors from any action
// surface as one line in bin/aleflix.ts.
import { Command } from 'commander';
import { registerAssets } from './commands/assets.js';
import { registerAuth } from './commands/auth.js';
import { registerIngest } from './commands/ingest.js';
import { registerJobs } from './commands/jobs.js';
import { registerKeys } from './commands/keys.js';
import { examples } from './commands/shared.js';
import { registerTitles } from './commands/titles.js';
import { registerUsers } from './commands/users.js';
import { VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('aleflix')
    .description('AleFlix content operations: bulk ingest, catalog, assets, jobs, users and API keys')
    .version(VERSION)
    .option('--profile <name>', 'credentials profile (default: "default", or $ALEFLIX_PROFILE)')
    .option('--api-url <url>', "API base URL (default: the profile's, $ALEFLIX_API_URL, or http://localhost:3000)")
    .option('--no-tty', 'plain log lines instead of the live view')
    .option('--debug', 'show stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });
  registerAuth(program);
  registerIngest(program);
  registerTitles(program);
  registerAssets(program);
  registerJobs(program);
  registerUsers(program);
  registerKeys(program);
  examples(program, [
    'aleflix login --email admin@example.com',
    'aleflix ingest ./season-2 --manifest meta.csv --wait --publish',
    'aleflix titles ls --status draft',
    'ALEFLIX_API_URL=https://api.example.com ALEFLIX_API_KEY=… aleflix assets ls --json',
  ]);
  return program;
}
