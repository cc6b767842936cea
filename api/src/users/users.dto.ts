import { z } from 'zod';
import { pageCursor, pageLimit } from '../common/paging.js';
import { ROLES } from '../common/roles.js';

export const RoleSchema = z.enum(ROLES).meta({ id: 'Role', description: 'admin > editor > viewer' });

export const EmailSchema = z
  .email()
  .max(320)
  .transform((email) => email.toLowerCase());
export const PasswordSchema = z.string().min(12, 'must be at least 12 characters').max(256);

export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.email(),
    displayName: z.string(),
    role: RoleSchema,
    disabled: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });
export type UserView = z.infer<typeof UserSchema>;

export const UserListSchema = z
  .object({ items: z.array(UserSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'UserList' });

export const ListUsersQuerySchema = z.object({
  limit: pageLimit(50),
  cursor: pageCursor,
});
export type ListUsersQuery = z.infer<typeof ListUsersQuerySchema>;

export const CreateUserSchema = z
  .strictObject({
    email: EmailSchema,
    password: PasswordSchema,
    displayName: z.string().trim().min(1).max(120).optional(),
    role: RoleSchema.default('viewer'),
  })
  .meta({ id: 'CreateUser' });
export type CreateUser = z.infer<typeof CreateUserSchema>;

export const UpdateUserSchema = z
  .strictObject({
    displayName: z.string().trim().min(1).max(120).optional(),
    role: RoleSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .meta({ id: 'UpdateUser' });
export type UpdateUser = z.infer<typeof UpdateUserSchema>;

export const ChangePasswordSchema = z
  .strictObject({ currentPassword: z.string().min(1).max(256), newPassword: PasswordSchema })
  .meta({ id: 'ChangePassword' });
export type ChangePassword = z.infer<typeof ChangePasswordSchema>;
