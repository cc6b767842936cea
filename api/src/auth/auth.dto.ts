import { z } from 'zod';
import { RoleSchema, UserSchema } from '../users/users.dto.js';

export const LoginSchema = z
  .strictObject({
    email: z.string().trim().min(1).max(320),
    password: z.string().min(1).max(256),
  })
  .meta({ id: 'Login' });
export type Login = z.infer<typeof LoginSchema>;

export const RefreshSchema = z.strictObject({ refreshToken: z.string().min(1).max(200) }).meta({ id: 'Refresh' });
export type Refresh = z.infer<typeof RefreshSchema>;

export const TokenPairSchema = z
  .object({
    tokenType: z.literal('Bearer'),
    accessToken: z.string().describe('JWT for the Authorization header; lives ACCESS_TOKEN_TTL_SECONDS'),
    expiresIn: z.int().describe('Seconds until the access token expires'),
    refreshToken: z.string().describe('Single-use; exchange at /auth/refresh for a new pair'),
    refreshExpiresAt: z.iso.datetime(),
    user: UserSchema,
  })
  .meta({ id: 'TokenPair' });
export type TokenPair = z.infer<typeof TokenPairSchema>;

export const MeSchema = z
  .object({
    user: UserSchema,
    role: RoleSchema.describe('Effective role of this credential'),
    via: z.enum(['token', 'api_key']),
    apiKeyId: z.uuid().optional(),
  })
  .meta({ id: 'Me' });

export const CreateApiKeySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    role: RoleSchema.optional().describe("Defaults to the creator's role; may not exceed it"),
    expiresInDays: z.int().min(1).max(3650).optional(),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('An exact expiry instead of expiresInDays: in the future, at most 10 years away'),
  })
  .refine((input) => input.expiresInDays === undefined || input.expiresAt === undefined, {
    message: 'give expiresInDays or expiresAt, not both',
    path: ['expiresAt'],
  })
  .meta({ id: 'CreateApiKey' });
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;

export const ApiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('First characters of the key, to tell keys apart'),
    role: RoleSchema,
    userId: z.uuid(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKeyView = z.infer<typeof ApiKeySchema>;

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().describe('The secret; shown only in this response'),
}).meta({ id: 'CreatedApiKey' });

export const ApiKeyListSchema = z.object({ items: z.array(ApiKeySchema) }).meta({ id: 'ApiKeyList' });
