import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { SeasonEntity } from './season.entity.js';

export const TITLE_KINDS = ['movie', 'series'] as const;
export type TitleKind = (typeof TITLE_KINDS)[number];
export const TITLE_STATUSES = ['draft', 'published', 'archived'] as const;
export type TitleStatus = (typeof TITLE_STATUSES)[number];

/**
 * A movie or a series. The full-text index is an expression index over
 * `aleflix_search_document(name, synopsis)`, created by migration; `synchronize: false`
 * tells TypeORM's schema diff to leave it alone.
 */
@Entity({ name: 'titles' })
@Index('idx_titles_search', { synchronize: false })
@Index('idx_titles_created', ['createdAt', 'id'])
export class TitleEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 160, unique: true })
  slug!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: TitleKind;

  @Column({ type: 'varchar', length: 300 })
  name!: string;

  @Column({ type: 'text', default: '' })
  synopsis!: string;

  @Column({ type: 'int', nullable: true })
  year!: number | null;

  @Column({ type: 'text', array: true, default: '{}' })
  genres!: string[];

  @Column({ type: 'text', array: true, default: '{}' })
  tags!: string[];

  @Column({ name: 'maturity_rating', type: 'varchar', length: 16, nullable: true })
  maturityRating!: string | null;

  @Column({ name: 'original_language', type: 'varchar', length: 35, nullable: true })
  originalLanguage!: string | null;

  @Index()
  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status!: TitleStatus;

  @Column({ name: 'external_id', type: 'varchar', length: 200, nullable: true, unique: true })
  externalId!: string | null;

  @Column({ name: 'poster_ref', type: 'varchar', length: 1000, nullable: true })
  posterRef!: string | null;

  @Column({ name: 'backdrop_ref', type: 'varchar', length: 1000, nullable: true })
  backdropRef!: string | null;

  @Column({ type: 'jsonb', default: {} })
  metadata!: Record<string, unknown>;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** Increments on every update; the ETag is derived from it. */
  @VersionColumn()
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @OneToMany('SeasonEntity', 'title')
  seasons?: SeasonEntity[];
}
