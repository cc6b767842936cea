import { z } from 'zod';
import { ERROR_CODE_LIST } from './error-codes.js';

export const FieldErrorSchema = z.object({ field: z.string(), message: z.string() }).meta({ id: 'FieldError' });

/** RFC 9457 problem details, the body of every error response. */
export const ProblemSchema = z
  .object({
    type: z.string().describe('URI reference naming the problem type'),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    code: z.enum(ERROR_CODE_LIST).describe('Stable machine-readable error code'),
    instance: z.string().optional().describe('The request path'),
    requestId: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional().describe('Per-field validation errors'),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof ProblemSchema>;
