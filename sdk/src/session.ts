// The credentials of one client instance: an API key, or access + refresh tokens that are
// obtained lazily from email/password and renewed when the API says `token_expired`.
import { AleflixApiError } from './errors.js';
import type { Login, Refresh, TokenPair } from './generated/openapi.js';

/** How a client authenticates. An API key excludes tokens and credentials. */
export type AuthOptions =
  | { apiKey: string; token?: never; refreshToken?: never; credentials?: never }
  | {
      apiKey?: never;
      /** An access token from an earlier sign-in (persisted by `onTokens`). */
      token?: string;
      /** Its refresh token, so the client can renew the access token when it expires. */
      refreshToken?: string;
      /** Signs in lazily on the first authenticated call, and again if the session is lost. */
      credentials?: Login;
    };

export type OnTokens = (tokens: TokenPair) => void | Promise<void>;

/** The two public auth calls the session needs; the transport provides them. */
export interface TokenExchange {
  login(body: Login): Promise<TokenPair>;
  refresh(body: Refresh): Promise<TokenPair>;
}

export interface Credential {
  headers: Record<string, string>;
  /** The access token sent, to tell later whether someone renewed it meanwhile. */
  accessToken: string | undefined;
}

export class Session {
  private accessToken: string | undefined;
  private refreshToken: string | undefined;
  private readonly apiKey: string | undefined;
  private readonly credentials: Login | undefined;
  /** The sign-in or refresh in progress: concurrent callers share it (single flight). */
  private inflight: Promise<void> | undefined;

  constructor(
    auth: AuthOptions,
    private readonly exchange: TokenExchange,
    private readonly onTokens: OnTokens | undefined,
  ) {
    this.apiKey = auth.apiKey;
    this.accessToken = auth.token;
    this.refreshToken = auth.refreshToken;
    this.credentials = auth.credentials;
  }

  get currentRefreshToken(): string | undefined {
    return this.refreshToken;
  }

  /**
   * Headers for an authenticated call. Without an access token it first gets one: from the
   * refresh token when there is one, else by signing in with the credentials.
   */
  async credential(): Promise<Credential> {
    if (this.apiKey !== undefined) return { headers: { 'x-api-key': this.apiKey }, accessToken: undefined };
    if (this.inflight) await this.inflight.catch(() => undefined);
    if (this.accessToken === undefined && (this.refreshToken !== undefined || this.credentials)) {
      await this.singleFlight(() => this.renewNow());
    }
    const token = this.accessToken;
    return { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, accessToken: token };
  }

  /**
   * After a `token_expired` for a call sent with `usedToken`: gets a new access token once,
   * however many calls failed together. Resolves false when there is nothing to renew with.
   */
  async renew(usedToken: string | undefined): Promise<boolean> {
    if (this.apiKey !== undefined) return false;
    if (this.accessToken !== usedToken) return true; // another call already renewed it
    if (this.refreshToken === undefined && !this.credentials) return false;
    await this.singleFlight(() => this.renewNow());
    return true;
  }

  /** Signs in with `login` (or the configured credentials) and keeps the tokens. */
  async signIn(login: Login): Promise<TokenPair> {
    const pair = await this.exchange.login(login);
    await this.adopt(pair);
    return pair;
  }

  /** Exchanges the refresh token (given or kept) for a new pair and keeps it. */
  async refresh(refreshToken = this.refreshToken): Promise<TokenPair> {
    if (refreshToken === undefined) throw new Error('No refresh token: sign in first, or pass refreshToken');
    try {
      const pair = await this.exchange.refresh({ refreshToken });
      await this.adopt(pair);
      return pair;
    } catch (error) {
      // A rejected refresh token (expired, reused, revoked) is dead: forget the session.
      if (error instanceof AleflixApiError && error.status === 401) this.clear();
      throw error;
    }
  }

  clear(): void {
    this.accessToken = undefined;
    this.refreshToken = undefined;
  }

  private async renewNow(): Promise<void> {
    if (this.refreshToken !== undefined) {
      try {
        await this.refresh();
        return;
      } catch (error) {
        // With credentials, a lost session is recovered by signing in again.
        if (!this.credentials || !(error instanceof AleflixApiError && error.status === 401)) throw error;
      }
    }
    if (this.credentials) await this.signIn(this.credentials);
  }

  private async adopt(pair: TokenPair): Promise<void> {
    this.accessToken = pair.accessToken;
    this.refreshToken = pair.refreshToken;
    await this.onTokens?.(pair);
  }

  private singleFlight(work: () => Promise<unknown>): Promise<void> {
    this.inflight ??= work().then(
      () => {
        this.inflight = undefined;
      },
      (error: unknown) => {
        this.inflight = undefined;
        throw error;
      },
    );
    return this.inflight;
  }
}
