// client.request for operations that the SDK's generated types do not have yet: playback and
// assets (the media module is not in the published spec yet) and watch progress (not in the
// API yet). The call still goes through the SDK: credentials, token refresh, retries and
// AleflixApiError. Replace each use with the typed call once the SDK has it.
import type { AleflixClient } from '@aleflix/sdk';

export interface UntypedInit {
  params?: { path?: Record<string, string | number>; query?: Record<string, unknown> };
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export type UntypedRequest = (
  method: 'get' | 'put' | 'post' | 'delete',
  path: string,
  init?: UntypedInit,
) => Promise<{ data: unknown; status: number; headers: Headers }>;

export function untypedRequest(client: Pick<AleflixClient, 'request'>): UntypedRequest {
  return client.request as unknown as UntypedRequest;
}
