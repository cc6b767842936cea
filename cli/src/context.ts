// What every command needs: the profile, the API URL, an authenticated SDK client, and
// whether to talk to people (tables, prompts, Ink) or to scripts (JSON, plain lines).
import { createClient, type AleflixClient } from '@aleflix/sdk';
import type { Command } from 'commander';
import { ConfigStore, DEFAULT_API_URL, DEFAULT_PROFILE, type Profile } from './config/config-store.js';
import { CliError } from './errors.js';

export interface GlobalOptions {
  profile?: string;
  apiUrl?: string;
  debug?: boolean;
  tty?: boolean;
}

export interface Context {
  profileName: string;
  apiUrl: string;
  store: ConfigStore;
  profile: Profile;
  debug: boolean;
  env: NodeJS.ProcessEnv;
  /** A client with the profile's (or ALEFLIX_API_KEY's) credentials; throws when there are none. */
  client(): AleflixClient;
  /** A client without credentials (login). */
  anonymousClient(): AleflixClient;
  /** Where the credentials come from, for whoami. */
  credentialSource(): 'ALEFLIX_API_KEY' | 'api key' | 'session' | 'none';
}

export function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function createContext(command: Command, env: NodeJS.ProcessEnv = process.env): Context {
  const globals = globalsOf(command);
  const profileName = globals.profile ?? env.ALEFLIX_PROFILE ?? DEFAULT_PROFILE;
  const store = new ConfigStore();
  const profile = store.profile(profileName);
  const apiUrl = (globals.apiUrl ?? env.ALEFLIX_API_URL ?? profile.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const envKey = env.ALEFLIX_API_KEY?.trim() || undefined;
  const common = { baseUrl: apiUrl, timeoutMs: 120_000 };
  return {
    profileName,
    apiUrl,
    store,
    profile,
    debug: globals.debug ?? false,
    env,
    anonymousClient: () => createClient(common),
    credentialSource: () =>
      envKey
        ? 'ALEFLIX_API_KEY'
        : profile.apiKey
          ? 'api key'
          : profile.refreshToken || profile.accessToken
            ? 'session'
            : 'none',
    client: () => {
      const apiKey = envKey ?? profile.apiKey;
      if (apiKey) return createClient({ ...common, apiKey });
      if (!profile.refreshToken && !profile.accessToken) {
        throw new CliError(
          `not logged in${profileName === DEFAULT_PROFILE ? '' : ` (profile ${profileName})`}: run \`aleflix login\` or set ALEFLIX_API_KEY`,
        );
      }
      return createClient({
        ...common,
        token: profile.accessToken,
        refreshToken: profile.refreshToken,
        // Refresh tokens are single-use: keep the new pair at once, or the next run is logged out.
        onTokens: (pair) =>
          store.update(profileName, (current) => ({
            ...current,
            accessToken: pair.accessToken,
            refreshToken: pair.refreshToken,
          })),
      });
    },
  };
}

/** People get tables, colours and Ink; scripts, CI and pipes get plain lines. */
export function isInteractive(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  if (globals.tty === false) return false;
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return false;
  return Boolean(process.stdout.isTTY);
}
