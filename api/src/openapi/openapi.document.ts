import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { MEDIA_ERROR_CODES, MediaError, type MediaErrorCode } from '@aleflix/core';
import { ERROR_CODES } from '../common/error-codes.js';

const TAGS: Array<[string, string]> = [
  ['auth', 'Sign in, token refresh and sign out'],
  ['api-keys', 'Long-lived credentials for automation and the CLI'],
  ['users', 'Accounts and roles'],
  ['titles', 'The catalog: movies and series'],
  ['seasons', 'Seasons and episodes of series'],
  ['uploads', 'Resumable multipart uploads of source videos'],
  ['assets', 'Uploaded videos and their renditions'],
  ['jobs', 'Transcoding attempts and dead letters'],
  ['playback', 'Signed HLS URLs'],
  ['progress', 'Where each user stopped watching'],
  ['health', 'Liveness and readiness probes'],
];

/** The `errorCode` of a failed asset or job: the media core's stable codes. */
function mediaErrorCodeTable(): string {
  const rows = Object.entries(MEDIA_ERROR_CODES).map(
    ([code, meaning]) =>
      `| \`${code}\` | ${new MediaError(code as MediaErrorCode).retryable ? 'yes' : 'no'} | ${meaning} |`,
  );
  return ['| errorCode | tried again by the worker | meaning |', '|---|---|---|', ...rows].join('\n');
}

function errorCodeTable(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, { status, title }]) => `| \`${code}\` | ${status} | ${title} |`);
  return ['| code | status | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Builds the OpenAPI document from the controllers' decorators: the one source of truth. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('AleFlix API')
    .setVersion('0.1.0')
    .setDescription(
      [
        'Headless video-on-demand API: catalog, accounts and (soon) media.',
        '',
        'Errors are `application/problem+json` (RFC 9457) with a stable `code`:',
        '',
        errorCodeTable(),
        '',
        'A transcode that fails leaves one of these stable codes in `errorCode` of the asset and its job:',
        '',
        mediaErrorCodeTable(),
      ].join('\n'),
    )
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'The server that serves this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT or API key' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey');
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controller, method) => method,
  });
  return unwrapSingleAllOf(markPublicOperations(useProblemJsonForErrors(document)));
}

/** Error responses are served as application/problem+json; say so in the spec. */
function useProblemJsonForErrors(document: OpenAPIObject): OpenAPIObject {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      const responses = (operation as { responses?: Record<string, { content?: Record<string, unknown> }> }).responses;
      for (const [status, response] of Object.entries(responses ?? {})) {
        if (Number(status) >= 400 && response.content?.['application/json']) {
          response.content = { 'application/problem+json': response.content['application/json'] };
        }
      }
    }
  }
  return document;
}

/** Operations without a security requirement are public; say so explicitly. */
function markPublicOperations(document: OpenAPIObject): OpenAPIObject {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      const op = operation as { responses?: unknown; security?: unknown[] };
      if (op.responses && !op.security) op.security = [];
    }
  }
  return document;
}

/** `{ allOf: [X] }` with nothing beside it is just X (zod wraps optional refs that way). */
function unwrapSingleAllOf<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item: unknown) => unwrapSingleAllOf(item)) as T;
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>);
  const allOf = (node as { allOf?: unknown[] }).allOf;
  if (entries.length === 1 && Array.isArray(allOf) && allOf.length === 1) return unwrapSingleAllOf(allOf[0]) as T;
  // OpenAPI 3.0 needs a type beside `nullable`; our nullable references are all objects.
  if ((node as { nullable?: boolean }).nullable && Array.isArray(allOf) && !('type' in node)) {
    entries.unshift(['type', 'object']);
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, unwrapSingleAllOf(value)])) as T;
}
