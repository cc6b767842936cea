// Credentials and settings per named profile, in the user's config directory. The file holds
// secrets (refresh tokens, API keys), so it is written 0600 in a 0700 folder, atomically
// (temp file + rename) so a crash never leaves half a file.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from '../errors.js';

export interface Profile {
  apiUrl?: string;
  email?: string;
  /** Set by `login --api-key`; excludes the tokens. */
  apiKey?: string;
  accessToken?: string;
  /** Single-use: every refresh hands out a new one, which is saved at once. */
  refreshToken?: string;
}

export interface ConfigFile {
  profiles: Record<string, Profile>;
}

export const DEFAULT_PROFILE = 'default';
export const DEFAULT_API_URL = 'http://localhost:3000';

/** $XDG_CONFIG_HOME/aleflix, else ~/.config/aleflix. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim()
    ? env.XDG_CONFIG_HOME
    : join(env.HOME?.trim() ? env.HOME : homedir(), '.config');
  return join(base, 'aleflix');
}

export class ConfigStore {
  readonly path: string;

  constructor(dir: string = configDir()) {
    this.path = join(dir, 'config.json');
  }

  read(): ConfigFile {
    if (!existsSync(this.path)) return { profiles: {} };
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new CliError(`${this.path} is not valid JSON (${(error as Error).message}); fix or delete it`);
    }
    const profiles = (parsed as Partial<ConfigFile> | null)?.profiles;
    return { profiles: typeof profiles === 'object' && profiles !== null ? profiles : {} };
  }

  profile(name: string): Profile {
    return this.read().profiles[name] ?? {};
  }

  /** Replaces a profile (undefined removes it) and writes the file 0600. */
  write(name: string, profile: Profile | undefined): void {
    const config = this.read();
    if (profile === undefined) delete config.profiles[name];
    else config.profiles[name] = dropUndefined(profile);
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600); // the umask may have widened it
    renameSync(temp, this.path);
  }

  update(name: string, change: (profile: Profile) => Profile): void {
    this.write(name, change(this.profile(name)));
  }
}

function dropUndefined(profile: Profile): Profile {
  return Object.fromEntries(Object.entries(profile).filter(([, value]) => value !== undefined)) as Profile;
}
