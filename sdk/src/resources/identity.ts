// Sign-in, API keys and user accounts.
import { paginate } from '../pagination.js';
import type { Session } from '../session.js';
import type { BodyOf, CallOptions, DataOf, PathParamsOf, QueryOf, RequestFn } from '../types.js';

export interface AuthApi {
  /**
   * Signs this client in: with `credentials`, or the ones given to createClient. The tokens
   * are kept (and passed to `onTokens`); later calls use and renew them.
   */
  login(credentials?: BodyOf<'login'>): Promise<DataOf<'login'>>;
  /** Exchanges the refresh token (this client's, unless given) for a new pair and keeps it. */
  refresh(refreshToken?: BodyOf<'refresh'>['refreshToken']): Promise<DataOf<'refresh'>>;
  /** Ends this client's session (its access tokens stop working at once) and forgets the tokens. */
  logout(options?: CallOptions): Promise<void>;
  /** The signed-in user and the effective role of the credential. */
  me(options?: CallOptions): Promise<DataOf<'me'>>;
}

export interface ApiKeysApi {
  /** Creates a key; its secret (`key`) is in this response only. */
  create(body: BodyOf<'createApiKey'>, options?: CallOptions): Promise<DataOf<'createApiKey'>>;
  /** Your own keys; admins see all keys. */
  list(options?: CallOptions): Promise<DataOf<'listApiKeys'>>;
  revoke(id: PathParamsOf<'revokeApiKey'>['id'], options?: CallOptions): Promise<void>;
}

export interface UsersApi {
  list(query?: QueryOf<'listUsers'>, options?: CallOptions): Promise<DataOf<'listUsers'>>;
  /** Every user, page after page (admin). */
  iterate(
    query?: Omit<QueryOf<'listUsers'>, 'cursor'>,
    options?: CallOptions,
  ): AsyncGenerator<DataOf<'listUsers'>['items'][number], void, undefined>;
  create(body: BodyOf<'createUser'>, options?: CallOptions): Promise<DataOf<'createUser'>>;
  get(id: PathParamsOf<'getUser'>['id'], options?: CallOptions): Promise<DataOf<'getUser'>>;
  /** Role, display name, disabled (admin). */
  update(
    id: PathParamsOf<'updateUser'>['id'],
    changes: BodyOf<'updateUser'>,
    options?: CallOptions,
  ): Promise<DataOf<'updateUser'>>;
  /** Changes your own password; your other sessions end. */
  changeOwnPassword(body: BodyOf<'changeOwnPassword'>, options?: CallOptions): Promise<void>;
}

export function authApi(request: RequestFn, session: Session, configured: BodyOf<'login'> | undefined): AuthApi {
  return {
    login: (credentials = configured) => {
      if (!credentials) throw new Error('auth.login needs credentials (or createClient({ credentials }))');
      return session.signIn(credentials);
    },
    refresh: (refreshToken) => session.refresh(refreshToken),
    logout: async (options) => {
      const refreshToken = session.currentRefreshToken;
      if (refreshToken === undefined) throw new Error('auth.logout: this client has no session (no refresh token)');
      await request('post', '/auth/logout', { ...options, body: { refreshToken } });
      session.clear();
    },
    me: async (options) => (await request('get', '/auth/me', options)).data,
  };
}

export function apiKeysApi(request: RequestFn): ApiKeysApi {
  return {
    create: async (body, options) => (await request('post', '/auth/api-keys', { ...options, body })).data,
    list: async (options) => (await request('get', '/auth/api-keys', options)).data,
    revoke: async (id, options) => {
      await request('delete', '/auth/api-keys/{id}', { ...options, params: { path: { id } } });
    },
  };
}

export function usersApi(request: RequestFn): UsersApi {
  const list: UsersApi['list'] = async (query, options) =>
    (await request('get', '/users', { ...options, params: { query } })).data;
  return {
    list,
    iterate: (query, options) => paginate((cursor) => list({ ...query, cursor }, options)),
    create: async (body, options) => (await request('post', '/users', { ...options, body })).data,
    get: async (id, options) => (await request('get', '/users/{id}', { ...options, params: { path: { id } } })).data,
    update: async (id, changes, options) =>
      (await request('patch', '/users/{id}', { ...options, params: { path: { id } }, body: changes })).data,
    changeOwnPassword: async (body, options) => {
      await request('post', '/users/me/password', { ...options, body });
    },
  };
}
