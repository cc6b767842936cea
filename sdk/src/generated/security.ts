/**
 * Operations the API serves without credentials (`security: []` in openapi.yaml).
 * Generated from openapi.yaml by `npm run generate -w @aleflix/sdk`: do not edit by hand;
 * `bash scripts/check-drift.sh` fails when this file and the spec disagree.
 */

/** "<method> <path template>" of every operation that needs no credentials. */
export const publicOperations = [
  'post /auth/login',
  'post /auth/refresh',
  'post /auth/logout',
  'get /health/live',
  'get /health/ready',
] as const;
