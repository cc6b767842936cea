import type { IncomingMessage } from 'node:http';
import websocket from '@fastify/websocket';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { sendProblem, toApiError } from '../common/problem.filter.js';
import type { EventsFilter } from './events.dto.js';
import { EventsAuthorizer } from './events.authorizer.js';
import { JobEventsBus } from './events.bus.js';
import { EventsService } from './events.service.js';
import { CLOSE, EventSubscriber } from './events.subscriber.js';

const HEARTBEAT_MS = 30_000;
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

/**
 * `GET /events` as a WebSocket (@fastify/websocket on Nest's Fastify instance): authorizes the
 * upgrade like any request, then streams applied job events from the JobEventsBus to the
 * socket, after a snapshot; pings to drop dead peers and closes every socket on shutdown.
 */
@Injectable()
export class EventsGateway implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('EventsGateway');
  private readonly subscribers = new Set<EventSubscriber>();
  /** Set by the upgrade's preHandler once the request passed every check. */
  private readonly authorized = new WeakMap<FastifyRequest, EventsFilter>();
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authorizer: EventsAuthorizer,
    private readonly events: EventsService,
    private readonly bus: JobEventsBus,
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
        handler: (request) => this.events.snapshot(this.authorized.get(request) ?? {}).then((items) => ({ items })),
        wsHandler: (socket, request) => this.serve(socket, request),
      });
    });
    this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  /** Before Fastify closes: say goodbye (1001, clients reconnect elsewhere), then cut stragglers. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    const open = [...this.subscribers];
    for (const subscriber of open) subscriber.close(CLOSE.goingAway);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([Promise.all(open.map((subscriber) => subscriber.closed)), grace]);
    clearTimeout(timer);
    for (const subscriber of this.subscribers) subscriber.terminate();
  }

  /** One heartbeat round over every socket (the timer calls it; tests may too). */
  heartbeat(): void {
    for (const subscriber of this.subscribers) subscriber.heartbeat();
  }

  /** Refusals are HTTP responses on the upgrade request, so clients see 401/403/400/404 problems. */
  private async authorize(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    try {
      const { filter } = await this.authorizer.authorize(request);
      await this.events.check(filter);
      this.authorized.set(request, filter);
      return undefined;
    } catch (caught) {
      const error = toApiError(caught);
      if (error.status >= 500) this.logger.error(caught instanceof Error ? (caught.stack ?? caught.message) : caught);
      sendProblem(request, reply, error);
      return reply;
    }
  }

  private serve(socket: WebSocket, request: FastifyRequest): void {
    const filter = this.authorized.get(request);
    if (!filter) {
      // Unreachable while the preHandler guards the route; never stream to an unchecked socket.
      socket.close(CLOSE.internalError.code, CLOSE.internalError.reason);
      return;
    }
    const subscriber = new EventSubscriber(socket, filter);
    this.subscribers.add(subscriber);
    // Subscribe before reading the snapshot, so nothing published in between is missed.
    const unsubscribe = this.bus.subscribe((message) => subscriber.deliver(message));
    void subscriber.closed.then(() => {
      unsubscribe();
      this.subscribers.delete(subscriber);
    });
    this.events.snapshot(filter).then(
      (snapshot) => subscriber.start(snapshot),
      (error: unknown) => {
        this.logger.error(
          `Reading the events snapshot failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        subscriber.close(CLOSE.internalError);
      },
    );
  }
}
