import { ApiError } from '../common/api-error.js';

export function etagFor(version: number): string {
  return `"v${version}"`;
}

/**
 * Checks an If-Match header against the current version. `required` makes a missing
 * header a 428, so two editors cannot silently overwrite each other.
 * Returns the version the client expects, or undefined when it did not say.
 */
export function expectedVersion(ifMatch: string | undefined, current: number, required: boolean): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    if (required) throw new ApiError('precondition_required', 'Send If-Match with the ETag you last read');
    return undefined;
  }
  if (ifMatch.trim() === '*') return current;
  const tags = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (!tags.includes(etagFor(current))) {
    throw new ApiError(
      'precondition_failed',
      `The title changed since you read it (now ${etagFor(current)}); reload and retry`,
    );
  }
  return current;
}
