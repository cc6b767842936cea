// What the stores need from outside, handed to every store by a Pinia plugin (plugins/api.ts
// in the app, a fake in unit tests): `this.$deps` inside actions.
import type { AleflixClient, TokenPair } from '@aleflix/sdk';
import type { ProgressBackend } from '../utils/progress';

/** Keeps the session across page loads: the refresh token cookie. */
export interface TokenStore {
  save(pair: TokenPair): void;
  clear(): void;
}

export interface StoreDeps {
  api: AleflixClient;
  tokens: TokenStore;
  /** The progress backend for a signed-in user (localStorage or the API). */
  progressFor(userId: string): ProgressBackend;
}

declare module 'pinia' {
  export interface PiniaCustomProperties {
    $deps: StoreDeps;
  }
}
