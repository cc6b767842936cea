// A real HTTP + WebSocket server (the `ws` package) standing in for GET /events: each test
// says how to answer upgrades, plain requests and connections, and reads what it received.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { JobEventMessage } from '../src/index.js';

export const ASSET_ID = '00000000-0000-4000-8000-0000000000a1';
export const JOB_ID = '00000000-0000-4000-8000-0000000000b1';

export function message(type: JobEventMessage['type'], extra: Partial<JobEventMessage> = {}): JobEventMessage {
  return {
    v: 1,
    type,
    assetId: ASSET_ID,
    jobId: JOB_ID,
    attempt: 1,
    status: type === 'job.ready' ? 'succeeded' : type === 'snapshot' ? 'queued' : 'running',
    progress: type === 'job.ready' ? 100 : 0,
    speed: null,
    etaSeconds: null,
    errorCode: null,
    errorMessage: null,
    at: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

export interface Seen {
  url: string;
  authorization: string | undefined;
  apiKey: string | undefined;
}

export class EventsServer {
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly waiting: Array<() => void> = [];
  readonly upgrades: Seen[] = [];
  readonly requests: Array<Seen & { method: string }> = [];
  /** Close codes the server received from clients, in order. */
  readonly clientCloses: number[] = [];
  /** undefined accepts the upgrade; a Response refuses it with that status and body. */
  onUpgrade: (request: IncomingMessage) => Response | undefined = () => undefined;
  onConnection: (socket: WebSocket, index: number) => void = () => undefined;
  /** Plain requests (the client's diagnosis of a refused upgrade, token refresh). */
  onRequest: (request: IncomingMessage) => Response = () => Response.json({ items: [] });

  constructor() {
    this.http = createServer((request, response) => void this.answer(request, response));
    this.http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.upgrades.push(seen(request));
      const refusal = this.onUpgrade(request);
      if (refusal) {
        void refusal.text().then((body) => {
          const headers = [...refusal.headers].map(([name, value]) => `${name}: ${value}\r\n`).join('');
          socket.end(
            `HTTP/1.1 ${refusal.status} Refused\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          );
        });
        return;
      }
      const index = this.upgrades.length - 1;
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        ws.on('close', (code) => {
          this.clientCloses.push(code);
          for (const wake of this.waiting.splice(0)) wake();
        });
        this.onConnection(ws, index);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  /** Resolves once the server has seen `count` client closes. */
  async closesSeen(count: number): Promise<number[]> {
    while (this.clientCloses.length < count) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.clientCloses;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requests.push({ ...seen(request), method: request.method ?? 'GET' });
    for await (const chunk of request) void chunk; // drain the body
    const answer = this.onRequest(request);
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(await answer.text());
  }
}

function seen(request: IncomingMessage): Seen {
  const apiKey = request.headers['x-api-key'];
  return {
    url: request.url ?? '',
    authorization: request.headers.authorization,
    apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey,
  };
}
