import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { ApiError } from '../common/api-error.js';
import { Clock } from '../common/clock.js';
import { randomSecret, sha256Hex } from '../common/crypto.js';
import { roleAtLeast } from '../common/roles.js';
import type { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import type { ApiKeyView, CreateApiKey } from './auth.dto.js';
import type { Principal } from './principal.js';

const DAY_MS = 86_400_000;
const MAX_EXPIRY_DAYS = 3650;

export const API_KEY_PREFIX = 'alx_';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async create(principal: Principal, input: CreateApiKey): Promise<ApiKeyView & { key: string }> {
    const role = input.role ?? principal.role;
    if (!roleAtLeast(principal.role, role)) {
      throw new ApiError(
        'forbidden',
        `An API key cannot have a higher role (${role}) than its creator (${principal.role})`,
      );
    }
    const key = API_KEY_PREFIX + randomSecret();
    const expiresAt = this.expiry(input);
    const entity = await this.repo.insert({
      userId: principal.userId,
      name: input.name,
      prefix: key.slice(0, 12),
      keyHash: sha256Hex(key),
      role,
      expiresAt,
    });
    const view = toApiKeyView(entity);
    await this.audit.record({ action: 'api_key.create', targetType: 'api_key', targetId: entity.id, after: view });
    return { ...view, key };
  }

  /** When the key stops working: a number of days from now, an exact future instant, or never. */
  private expiry(input: CreateApiKey): Date | null {
    const now = this.clock.now().getTime();
    if (input.expiresInDays) return new Date(now + input.expiresInDays * DAY_MS);
    if (!input.expiresAt) return null;
    const at = new Date(input.expiresAt);
    if (at.getTime() <= now || at.getTime() > now + MAX_EXPIRY_DAYS * DAY_MS) {
      const message = `must be in the future and at most ${MAX_EXPIRY_DAYS} days away`;
      throw new ApiError('validation_failed', `expiresAt ${message}`, { errors: [{ field: 'expiresAt', message }] });
    }
    return at;
  }

  /** Admins see every key; everyone else sees their own. */
  async list(principal: Principal): Promise<ApiKeyView[]> {
    const keys = principal.role === 'admin' ? await this.repo.listAll() : await this.repo.listForUser(principal.userId);
    return keys.map(toApiKeyView);
  }

  async revoke(principal: Principal, id: string): Promise<void> {
    const key = await this.repo.findById(id);
    if (!key || (key.userId !== principal.userId && principal.role !== 'admin')) throw ApiError.notFound('API key');
    await this.repo.revoke(id, this.clock.now());
    const revoked = await this.repo.findById(id);
    await this.audit.record({
      action: 'api_key.revoke',
      targetType: 'api_key',
      targetId: id,
      before: toApiKeyView(key),
      after: revoked ? toApiKeyView(revoked) : null,
    });
  }
}

export function toApiKeyView(key: ApiKeyEntity): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role: key.role,
    userId: key.userId,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
