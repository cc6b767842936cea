// The live event stream of GET /events as an async iterator: connects with the client's
// credentials, yields each message, reconnects with backoff when the connection drops, and
// asks the API over plain HTTP why an upgrade was refused, so a bad credential, a missing
// role or an unknown id ends the stream with a typed error instead of endless retries (and
// so does a path that passes HTTP but not WebSockets, after a few tries). The server also
// closes open sockets whose credentials stop passing (4001/4003): an expired access token is
// renewed and the stream reconnects at once; anything else ends it with the API's problem.
import { AleflixApiError, AleflixNetworkError } from '../errors.js';
import type { JobEventMessage } from '../generated/openapi.js';
import { backoffDelay, sleep } from '../retry.js';
import type { Session } from '../session.js';
import type { Transport } from '../transport.js';
import type { QueryOf } from '../types.js';
import { SocketChannel, type WebSocketFactory } from './socket.js';

/** What to watch: one asset, one job, or (neither) every job. */
export type EventFilter = Omit<QueryOf<'jobEvents'>, 'access_token'>;

export interface SubscribeOptions {
  /** Ends the stream (the iterator finishes; no error). */
  signal?: AbortSignal;
  /** Waits between reconnects: full jitter, doubling from baseDelayMs (500) up to maxDelayMs (30 000). */
  reconnect?: { baseDelayMs?: number; maxDelayMs?: number };
  /** Called each time a connection opens (the first and every reconnect): nothing is missed from then on. */
  onOpen?: () => void;
}

export interface EventStreamDeps {
  transport: Transport;
  session: Session;
  createSocket: WebSocketFactory;
  /** Node's WebSocket takes headers; a browser's does not, so the token goes in the URL there. */
  credentialsIn: 'headers' | 'query';
  random: () => number;
}

/** Closes after which reconnecting cannot help without asking why. */
const POLICY_VIOLATION = 1008;
/** The server's "your credentials no longer pass" closes, mirroring 401 and 403; the reason is the problem code. */
const CREDENTIALS_INVALID = 4001;
const NOT_ALLOWED = 4003;
const NORMAL_CLOSURE = 1000;
/** Refusals that retrying will not cure: the stream ends with the error. */
const FINAL_STATUSES = new Set([400, 401, 403, 404]);
const MAX_BLOCKED = 5;

export async function* subscribeEvents(
  deps: EventStreamDeps,
  filter: EventFilter,
  options: SubscribeOptions,
): AsyncGenerator<JobEventMessage, void, undefined> {
  const { signal } = options;
  const policy = {
    attempts: 1,
    baseDelayMs: options.reconnect?.baseDelayMs ?? 500,
    maxDelayMs: options.reconnect?.maxDelayMs ?? 30_000,
  };
  let failures = 0;
  /** Upgrades refused in a row while the same request over plain HTTP was fine. */
  let blocked = 0;
  const pause = async () => {
    try {
      await sleep(backoffDelay(++failures, policy, deps.random), signal);
      return true;
    } catch {
      return false; // aborted while waiting
    }
  };
  while (!signal?.aborted) {
    let target: Awaited<ReturnType<typeof connection>>;
    try {
      target = await connection(deps, filter);
    } catch (error) {
      // Signing in or refreshing could not reach the API: that passes. A refusal does not.
      if (!(error instanceof AleflixNetworkError)) throw error;
      if (await pause()) continue;
      return;
    }
    const { url, headers, accessToken } = target;
    const channel = new SocketChannel(deps.createSocket(url, headers ? { headers } : {}), signal);
    let end: { opened: boolean; code: number; reason: string } | undefined;
    try {
      while (!end) {
        const item = await channel.next();
        if (item.kind === 'aborted') return;
        if (item.kind === 'open') {
          failures = blocked = 0;
          options.onOpen?.();
        } else if (item.kind === 'message') yield item.message;
        else end = item;
      }
    } finally {
      channel.dispose();
    }
    if (end.code === NORMAL_CLOSURE) return;
    const refused = !end.opened || end.code === POLICY_VIOLATION;
    let verdict: Verdict = 'unreachable';
    if (end.code === CREDENTIALS_INVALID && end.reason === 'token_expired') {
      // The usual end of a long stream: the access token expired. Renew it without a detour
      // through GET /events; with nothing to renew with (an API key), ask the API below.
      verdict = await renewAfterExpiry(deps, accessToken);
    }
    if (verdict !== 'renewed' && (refused || end.code === CREDENTIALS_INVALID || end.code === NOT_ALLOWED)) {
      // Revoked, disabled, demoted: the same request over HTTP throws the API's problem (final).
      verdict = await diagnose(deps, filter, accessToken, signal);
      if (signal?.aborted) return;
    }
    if (refused && verdict === 'http-works' && ++blocked >= MAX_BLOCKED) {
      // Most likely a proxy that does not pass WebSockets: waiting will not change that.
      throw new AleflixNetworkError({
        method: 'GET',
        url: url.replace(/([?&]access_token=)[^&]*/, '$1…'),
        cause: new Error(`the WebSocket upgrade failed ${blocked} times in a row while plain HTTP works`),
      });
    }
    // A refreshed token deserves an immediate second try; anything else backs off.
    if (verdict !== 'renewed' && !(await pause())) return;
  }
}

type Verdict = 'renewed' | 'http-works' | 'unreachable';

/**
 * After a 4001 `token_expired`: a new access token (refreshing, or signing in again with the
 * configured credentials), shared with any call renewing at the same time. A refusal to renew
 * (a dead refresh token) throws, ending the stream; an API out of reach is waited out.
 */
async function renewAfterExpiry(deps: EventStreamDeps, usedToken: string | undefined): Promise<Verdict> {
  try {
    return (await deps.session.renew(usedToken)) ? 'renewed' : 'unreachable';
  } catch (error) {
    if (error instanceof AleflixNetworkError) return 'unreachable';
    throw error;
  }
}

/** The URL and credentials of one connection attempt (signing in or refreshing first if needed). */
async function connection(deps: EventStreamDeps, filter: EventFilter) {
  const credential = await deps.session.credential();
  const url = new URL(`${deps.transport.base}/events`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (filter.assetId) url.searchParams.set('assetId', filter.assetId);
  if (filter.jobId) url.searchParams.set('jobId', filter.jobId);
  if (deps.credentialsIn === 'headers') {
    return { url: url.toString(), headers: credential.headers, accessToken: credential.accessToken };
  }
  if (credential.headers['x-api-key'] !== undefined) {
    throw new TypeError(
      'events.subscribe: API keys cannot travel in a WebSocket URL (browsers cannot set headers); sign in with a user instead',
    );
  }
  if (credential.accessToken) url.searchParams.set('access_token', credential.accessToken);
  return { url: url.toString(), headers: undefined, accessToken: credential.accessToken };
}

/**
 * The upgrade failed; browsers do not say why. The same request without the upgrade goes
 * through the client's transport, which renews an expired token, and answers the same
 * problem the upgrade got. Throws when it is final.
 */
async function diagnose(
  deps: EventStreamDeps,
  filter: EventFilter,
  usedToken: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Verdict> {
  try {
    await deps.transport.send('GET', '/events', {
      params: { query: { assetId: filter.assetId, jobId: filter.jobId } },
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) return 'unreachable';
    if (error instanceof AleflixApiError && FINAL_STATUSES.has(error.status)) throw error;
    return 'unreachable'; // the network or the server is having trouble: back off and try again
  }
  return (await deps.session.credential()).accessToken !== usedToken ? 'renewed' : 'http-works';
}
