import { z } from 'zod';
import { MAX_PAGE_SIZE, pageLimit } from '../common/paging.js';
import { name, text } from '../common/zod-text.js';
import { SLUG_PATTERN } from './slug.js';
import { TITLE_KINDS, TITLE_STATUSES } from './title.entity.js';

export const TITLE_SORTS = ['-createdAt', 'createdAt', 'name', '-name', 'year', '-year', 'relevance'] as const;
export type TitleSort = (typeof TITLE_SORTS)[number];

const TitleKindSchema = z.enum(TITLE_KINDS).meta({ id: 'TitleKind' });
const TitleStatusSchema = z.enum(TITLE_STATUSES).meta({ id: 'TitleStatus' });
const label = name(40).transform((value) => value.toLowerCase());
const ref = text(1000, 1).nullable().describe('Storage key or URL of an image');

export const EpisodeSchema = z
  .object({
    id: z.uuid(),
    number: z.int(),
    name: z.string(),
    synopsis: z.string(),
    externalId: z.string().nullable(),
  })
  .meta({ id: 'Episode' });

export const SeasonSchema = z
  .object({
    id: z.uuid(),
    number: z.int(),
    name: z.string().nullable(),
    synopsis: z.string(),
    episodes: z.array(EpisodeSchema),
  })
  .meta({ id: 'Season' });

export const TitleSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    kind: TitleKindSchema,
    name: z.string(),
    synopsis: z.string(),
    year: z.int().nullable(),
    genres: z.array(z.string()),
    tags: z.array(z.string()),
    maturityRating: z.string().nullable(),
    originalLanguage: z.string().nullable(),
    status: TitleStatusSchema,
    externalId: z.string().nullable(),
    posterRef: z.string().nullable(),
    backdropRef: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    version: z.int().describe('Increments on every change; the ETag is derived from it'),
    publishedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Title' });
export type TitleView = z.infer<typeof TitleSchema>;

export const TitleDetailSchema = TitleSchema.extend({
  seasons: z.array(SeasonSchema).describe('Seasons with their episodes; empty for movies'),
}).meta({ id: 'TitleDetail' });
export type TitleDetailView = z.infer<typeof TitleDetailSchema>;

export const TitleListSchema = z
  .object({
    items: z.array(TitleSchema),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'TitleList' });
export type TitleList = z.infer<typeof TitleListSchema>;

const titleFields = {
  name: name(300),
  slug: z.string().max(120).regex(SLUG_PATTERN, 'lower-case letters, digits and single hyphens').optional(),
  synopsis: text(10_000).optional(),
  year: z.int().min(1870).max(2100).nullable().optional(),
  genres: z.array(label).max(20).optional(),
  tags: z.array(label).max(50).optional(),
  maturityRating: name(16).nullable().optional(),
  originalLanguage: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as pt-BR')
    .nullable()
    .optional(),
  status: TitleStatusSchema.optional(),
  externalId: name(200).nullable().optional(),
  posterRef: ref.optional(),
  backdropRef: ref.optional(),
  metadata: z.record(text(100, 1), z.unknown()).optional().describe('Free-form JSON object'),
};

export const CreateTitleSchema = z.strictObject({ kind: TitleKindSchema, ...titleFields }).meta({ id: 'CreateTitle' });
export type CreateTitle = z.infer<typeof CreateTitleSchema>;

export const UpdateTitleSchema = z
  .strictObject({ ...titleFields, name: titleFields.name.optional() })
  .meta({ id: 'UpdateTitle' });
export type UpdateTitle = z.infer<typeof UpdateTitleSchema>;

const { externalId: _externalId, ...upsertFields } = titleFields;
export const UpsertTitleSchema = z
  .strictObject({ kind: TitleKindSchema, ...upsertFields })
  .meta({ id: 'UpsertTitle', description: 'Creates the title, or updates the fields given when it exists' });
export type UpsertTitle = z.infer<typeof UpsertTitleSchema>;

export const ListTitlesQuerySchema = z.object({
  status: TitleStatusSchema.optional(),
  kind: TitleKindSchema.optional(),
  genre: label.optional(),
  year: z.coerce.number().int().min(1870).max(2100).optional(),
  q: text(200).optional().describe('Full-text search over name and synopsis (Portuguese and English, accents ignored)'),
  sort: z.enum(TITLE_SORTS).optional().describe('Default: relevance when q is given, else -createdAt'),
  limit: pageLimit(20).describe(`Page size; values above ${MAX_PAGE_SIZE} are clamped`),
  cursor: z.string().max(1000).optional(),
});
export type ListTitlesQuery = z.infer<typeof ListTitlesQuerySchema>;

export const TitleRefSchema = z.string().min(1).max(160).describe('Title id (uuid) or slug');

export const SeasonNumberSchema = z.coerce.number().int().min(0).max(10_000);

export const UpsertSeasonSchema = z
  .strictObject({ name: name(300).nullable().optional(), synopsis: text(10_000).optional() })
  .meta({ id: 'UpsertSeason' });
export type UpsertSeason = z.infer<typeof UpsertSeasonSchema>;

export const UpsertEpisodeSchema = z
  .strictObject({ name: name(300), synopsis: text(10_000).optional(), externalId: name(200).nullable().optional() })
  .meta({ id: 'UpsertEpisode' });
export type UpsertEpisode = z.infer<typeof UpsertEpisodeSchema>;
