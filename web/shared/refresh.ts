import { createClient, type TokenPair } from '@aleflix/sdk';
import { processSingleFlight } from './single-flight';

/** How long a refresh token exchanged here keeps answering with the pair it was exchanged for. */
export const REFRESH_REPLAY_MS = 60_000;

/**
 * Exchanges a refresh token for a new pair, at most once per token and process: concurrent
 * or repeated presentations of the same token within REFRESH_REPLAY_MS share one exchange.
 */
export function refreshOnce(apiBase: string, refreshToken: string): Promise<TokenPair> {
  return processSingleFlight<TokenPair>('refresh', REFRESH_REPLAY_MS).run(refreshToken, () =>
    // Never retried: a retry after a lost response would present a used token.
    createClient({ baseUrl: apiBase, retry: { attempts: 1 }, timeoutMs: 15_000 }).auth.refresh(refreshToken),
  );
}
