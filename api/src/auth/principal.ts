import type { Role } from '../common/roles.js';

/** Who is calling: resolved once per request by the auth guard. */
export interface Principal {
  userId: string;
  email: string;
  /** The effective role: the user's role, or an API key's (never higher than its owner's). */
  role: Role;
  via: 'token' | 'api_key';
  sessionId?: string;
  apiKeyId?: string;
}
