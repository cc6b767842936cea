import type { ObjectLiteral, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/**
 * Applies `changes` to row `id` only while its `status` is one of `from`, in one UPDATE.
 * Returns whether it did: the state machines of assets and jobs rely on this to make
 * at-least-once events idempotent (terminal states stick, races have one winner).
 */
export async function transitionStatus<T extends ObjectLiteral>(
  repo: Repository<T>,
  id: string,
  from: readonly string[],
  changes: Partial<T>,
): Promise<boolean> {
  const result = await repo
    .createQueryBuilder()
    .update()
    .set(changes as QueryDeepPartialEntity<T>)
    .where('id = :id AND status IN (:...from)', { id, from })
    .execute();
  return (result.affected ?? 0) > 0;
}
