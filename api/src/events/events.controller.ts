import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators.js';
import { ApiAuth, ApiOk, ApiProblems } from '../common/openapi.decorators.js';
import { EventsQuerySchema, JobEventSnapshotSchema, type EventsQuery } from './events.dto.js';
import { EVENTS_ROLE } from './events.authorizer.js';
import { EventsService } from './events.service.js';

const DESCRIPTION = [
  'Connect with a WebSocket (`Connection: Upgrade`, `Upgrade: websocket`) to receive one `JobEventMessage` (JSON) per',
  'text frame: first a `snapshot` of each watched job, then every worker event the API applies (`job.started`,',
  '`job.progress`, `job.ready`, `job.failed`), in order per asset. Duplicate and stale worker events are not sent.',
  'When an asset is deleted, `asset.deleted` carries its latest job as the deletion left it (`cancelled` if it was',
  'queued or running); nothing more is sent about that asset.',
  '',
  'Credentials as for any call (`Authorization: Bearer`, `X-API-Key`); browsers, which cannot set headers on a',
  'WebSocket, pass a short-lived access token as `access_token`. A refused upgrade is answered with the usual',
  'problem+json status (401, 403, 400, 404). The server pings every 30 s and drops connections that do not answer,',
  'and closes with 1001 when it shuts down and 1013 when a client reads too slowly: reconnect on those.',
  '',
  'An open socket keeps only the rights its credentials still have: they are checked again at once when a session,',
  'user or API key changes, and every 30 s. The server then closes with the problem code those credentials would now',
  'get as the reason: 4001 `token_expired` (the access token or API key expired: renew the token and reconnect),',
  '4001 `token_invalid` (the session ended: sign-out, password change, refresh-token reuse; or the API key was',
  'revoked), 4003 `account_disabled` or 4003 `forbidden` (no longer an editor). Reconnecting with the same',
  'credentials after 4001 `token_invalid` or 4003 is refused.',
  '',
  'A stream watching one asset (`assetId`) ends with 1000 `asset_deleted` when the asset is deleted: after the',
  '`asset.deleted` message, or, for an asset deleted before its upload completed (it has no job), without one.',
  '',
  'Without an upgrade, answers the snapshot a new subscriber would receive first.',
].join('\n');

@ApiTags('jobs')
@ApiAuth()
@RequireRole(EVENTS_ROLE)
@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({ summary: 'Live transcoding progress over a WebSocket', description: DESCRIPTION })
  @ApiResponse({
    status: 101,
    description: 'Switching Protocols: the WebSocket is open; each text frame is a JobEventMessage',
  })
  @ApiOk(JobEventSnapshotSchema, 200, 'Not upgraded: the current state of what the filter selects')
  @ApiProblems(400, 401, 403, 404)
  jobEvents(@Query({ schema: EventsQuerySchema }) query: EventsQuery) {
    return this.events.current(query);
  }
}
