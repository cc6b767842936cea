import type { IncomingMessage } from 'node:http';
import websocket from '@fastify/websocket';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { sendProblem, toApiError } from '../common/problem.filter.js';
import { AppConfig } from '../config/app-config.js';
import type { EventsFilter } from './events.dto.js';
import { EventsAuthorizer, type EventsCredential } from './events.authorizer.js';
import { EventsService } from './events.service.js';
import { CLOSE, EventSubscriber } from './events.subscriber.js';

const HEARTBEAT_MS = 30_000;
/** Credentials checked at once during a recheck: bounded, so a sweep never drains the database pool. */
const RECHECK_CONCURRENCY = 4;
/** On shutdown, how long clients get to answer the close frame before their sockets are cut. */
const CLOSE_GRACE_MS = 1_000;
/** Clients send nothing; anything bigger than a ping is not ours. */
const MAX_CLIENT_FRAME_BYTES = 1024;

type ConstraintStrategy = Parameters<FastifyInstance['addConstraintStrategy']>[0];
type RouteHandler = Parameters<ReturnType<ConstraintStrategy['storage']>['set']>[1];

/**
 * Sends upgrades of GET /events to the WebSocket route below and every other GET /events to
 * the Nest controller, which documents the endpoint and answers the snapshot. Two routes on
 * one path need a constraint to tell them apart.
 */
const upgradeConstraint: ConstraintStrategy = {
  name: 'upgrade',
  storage() {
    const handlers = new Map<unknown, RouteHandler>();
    return {
      get: (value) => handlers.get(value) ?? null,
      set: (value, handler) => void handlers.set(value, handler),
    };
  },
  deriveConstraint: (request: IncomingMessage) => request.headers.upgrade?.toLowerCase(),
  mustMatchWhenDerived: false,
};

interface Authorized {
  filter: EventsFilter;
  credential: EventsCredential;
  /** `invalidations` when the check started: a change seen since may have come too late for it. */
  epoch: number;
}

/**
 * `GET /events` as a WebSocket (@fastify/websocket on Nest's Fastify instance): authorizes the
 * upgrade like any request, then streams applied job events from the JobEventsBus to the
 * socket, after a snapshot (both through EventsService.stream); pings to drop dead peers and
 * closes every socket on shutdown.
 *
 * An open socket does not outlive its right to the stream. Each one keeps the credential it
 * connected with, and `recheck()` runs it through the Authenticator again (the very check of
 * the upgrade), closing with 4001/4003 (see CLOSE) a socket whose session ended, whose API key
 * was revoked or expired, whose access token expired, or whose user was disabled or demoted
 * below editor. A recheck runs:
 * - on every invalidation of the identity module's session cache, which every revocation and
 *   user change goes through, in this process and (Redis pub/sub) in the others: promptly;
 * - every EVENTS_RECHECK_SECONDS (30), for what announces nothing (expiry) or was not heard
 *   (no Redis between several instances, a lost broadcast);
 * - after an upgrade whose check overlapped an invalidation, which may have read the state
 *   from just before it.
 * Cost: one sweep at a time (requests meanwhile share a single next sweep, which starts after
 * the current one so it sees every change), one Authenticator call per distinct credential
 * however many sockets share it, RECHECK_CONCURRENCY at a time. A token's lookup is one
 * indexed query that the session cache absorbs for every other token of its session; a key's
 * is two (plus a last-used write at most once a minute). A check that fails for another
 * reason (the database is down) leaves the socket open until the next sweep: the stream
 * carries progress, not secrets, and closing everything would only make every client
 * reconnect into the same outage.
 */
@Injectable()
export class EventsGateway implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('EventsGateway');
  /** Every open socket and the credential it connected with. */
  private readonly subscribers = new Map<EventSubscriber, EventsCredential>();
  /** Set by the upgrade's preHandler once the request passed every check. */
  private readonly authorized = new WeakMap<FastifyRequest, Authorized>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private stopCredentialWatch: (() => void) | undefined;
  /** Credential changes heard so far. */
  private invalidations = 0;
  /** The sweep running, and the one queued behind it (shared by everyone who asked meanwhile). */
  private sweeping: Promise<void> | undefined;
  private nextSweep: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authorizer: EventsAuthorizer,
    private readonly events: EventsService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addConstraintStrategy(upgradeConstraint);
    // Not awaited, and in a plugin of its own: awaiting a registration here would make Fastify
    // set up Nest's routes before Nest installs its error handler (that happens after this
    // hook), and body-parsing errors would lose their problem+json. The plugin loads when
    // Fastify gets ready, and its hooks stay on this one route.
    void fastify.register(async (scope) => {
      await scope.register(websocket, { options: { maxPayload: MAX_CLIENT_FRAME_BYTES } });
      scope.route({
        method: 'GET',
        url: '/events',
        constraints: { upgrade: 'websocket' },
        exposeHeadRoute: false,
        preHandler: (request, reply) => this.authorize(request, reply),
        // "Upgrade: websocket" without "Connection: Upgrade" is a plain request: answer as the controller does.
        handler: (request) =>
          this.events.snapshot(this.authorized.get(request)?.filter ?? {}).then((items) => ({ items })),
        wsHandler: (socket, request) => this.serve(socket, request),
      });
    });
    this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    this.stopCredentialWatch = this.authorizer.onCredentialsChanged(() => {
      this.invalidations += 1;
      void this.recheck();
    });
    this.recheckTimer = setInterval(() => void this.recheck(), this.config.env.EVENTS_RECHECK_SECONDS * 1000);
    this.recheckTimer.unref();
  }

  /** Before Fastify closes: say goodbye (1001, clients reconnect elsewhere), then cut stragglers. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeatTimer);
    clearInterval(this.recheckTimer);
    this.stopCredentialWatch?.();
    const open = [...this.subscribers.keys()];
    for (const subscriber of open) subscriber.close(CLOSE.goingAway);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([Promise.all(open.map((subscriber) => subscriber.closed)), grace]);
    clearTimeout(timer);
    for (const subscriber of this.subscribers.keys()) subscriber.terminate();
  }

  /** One heartbeat round over every socket (the timer calls it; tests may too). */
  heartbeat(): void {
    for (const subscriber of this.subscribers.keys()) subscriber.heartbeat();
  }

  /**
   * Checks the credentials of every open socket again and closes those that no longer pass
   * (the timer and every credential change call it; tests may too). Resolves once a sweep
   * that started after this call has finished.
   */
  recheck(): Promise<void> {
    if (!this.sweeping) {
      this.sweeping = this.sweep().finally(() => (this.sweeping = undefined));
      return this.sweeping;
    }
    // The running sweep may have checked some sockets before the change that asks for this one.
    this.nextSweep ??= this.sweeping.then(() => {
      this.nextSweep = undefined;
      return this.recheck();
    });
    return this.nextSweep;
  }

  private async sweep(): Promise<void> {
    // Sockets sharing a credential (one client's several filters, a key used by many) share its check.
    const groups = new Map<string, { credential: EventsCredential; subscribers: EventSubscriber[] }>();
    for (const [subscriber, credential] of this.subscribers) {
      const key = JSON.stringify([credential.authorization, credential.apiKey]);
      const group = groups.get(key);
      if (group) group.subscribers.push(subscriber);
      else groups.set(key, { credential, subscribers: [subscriber] });
    }
    const pending = [...groups.values()];
    let failures = 0;
    let lastError: unknown;
    let next = 0;
    const worker = async () => {
      while (next < pending.length && !this.stopping) {
        const group = pending[next++]!;
        try {
          const close = await this.authorizer.recheck(group.credential);
          if (close) for (const subscriber of group.subscribers) subscriber.close(close);
        } catch (error) {
          failures += 1;
          lastError = error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(RECHECK_CONCURRENCY, pending.length) }, worker));
    if (failures > 0 && !this.stopping) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      this.logger.warn(
        `Could not recheck ${failures} event stream credential(s), kept open until the next try: ${reason}`,
      );
    }
  }

  /** Refusals are HTTP responses on the upgrade request, so clients see 401/403/400/404 problems. */
  private async authorize(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    try {
      const epoch = this.invalidations;
      const { filter, credential } = await this.authorizer.authorize(request);
      await this.events.check(filter);
      this.authorized.set(request, { filter, credential, epoch });
      return undefined;
    } catch (caught) {
      const error = toApiError(caught);
      if (error.status >= 500) this.logger.error(caught instanceof Error ? (caught.stack ?? caught.message) : caught);
      sendProblem(request, reply, error);
      return reply;
    }
  }

  private serve(socket: WebSocket, request: FastifyRequest): void {
    const authorized = this.authorized.get(request);
    if (!authorized) {
      // Unreachable while the preHandler guards the route; never stream to an unchecked socket.
      socket.close(CLOSE.internalError.code, CLOSE.internalError.reason);
      return;
    }
    const { filter, credential, epoch } = authorized;
    const subscriber = new EventSubscriber(socket, filter);
    this.subscribers.set(subscriber, credential);
    void subscriber.closed.then(() => this.subscribers.delete(subscriber));
    // A change heard while the upgrade was checked may have missed this socket's recheck.
    if (epoch !== this.invalidations) void this.recheck();
    // The service subscribes to the bus before it reads the snapshot, and ends the stream if
    // the asset was deleted after authorize() checked it (see EventsService.stream).
    this.events.stream(subscriber, filter).catch((error: unknown) => {
      this.logger.error(
        `Reading the events snapshot failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      subscriber.close(CLOSE.internalError);
    });
  }
}
