/**
 * Stable machine-readable error codes. Clients switch on `code`, never on `title` or
 * `detail`; a code is never renamed once released. Each is listed in openapi.yaml.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, title: 'Request validation failed' },
  invalid_json: { status: 400, title: 'Request body is not valid JSON' },
  invalid_cursor: { status: 400, title: 'Pagination cursor is invalid' },
  authentication_required: { status: 401, title: 'Authentication required' },
  invalid_credentials: { status: 401, title: 'Email or password is incorrect' },
  token_invalid: { status: 401, title: 'Token is invalid' },
  token_expired: { status: 401, title: 'Token has expired' },
  refresh_token_reused: { status: 401, title: 'Refresh token was already used; session revoked' },
  account_disabled: { status: 403, title: 'Account is disabled' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  not_found: { status: 404, title: 'Resource not found' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflicts with the current state' },
  email_taken: { status: 409, title: 'Email is already registered' },
  slug_taken: { status: 409, title: 'Slug is already used by another title' },
  external_id_taken: { status: 409, title: 'externalId is already used by another title' },
  upload_incomplete: { status: 409, title: 'Upload is missing parts or has parts of the wrong size' },
  upload_closed: { status: 409, title: 'Upload is no longer open (completed, aborted or expired)' },
  asset_busy: { status: 409, title: 'Asset is being uploaded or transcoded' },
  precondition_failed: { status: 412, title: 'Resource changed since it was read (ETag mismatch)' },
  checksum_mismatch: { status: 400, title: 'Part checksum does not match its content' },
  playback_url_invalid: { status: 403, title: 'Playback URL signature is invalid' },
  playback_url_expired: { status: 403, title: 'Playback URL has expired' },
  not_playable: { status: 404, title: 'Nothing ready to play for this id' },
  range_not_satisfiable: { status: 416, title: 'Requested byte range is outside the file' },
  payload_too_large: { status: 413, title: 'Request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  precondition_required: { status: 428, title: 'If-Match header is required' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];
