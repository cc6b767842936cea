import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { RenditionView } from './media.types.js';

export const ASSET_STATUSES = ['uploading', 'queued', 'processing', 'ready', 'failed', 'deleted'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

/** An uploaded video and, once transcoded, its HLS renditions. */
@Entity({ name: 'assets' })
@Index('idx_assets_created', ['createdAt', 'id'])
export class AssetEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column({ type: 'varchar', length: 16 })
  status!: AssetStatus;

  @Column({ name: 'original_filename', type: 'varchar', length: 500 })
  originalFilename!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 200 })
  contentType!: string;

  @Column({
    name: 'size_bytes',
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) },
  })
  sizeBytes!: number;

  /** Hex SHA-256 of the source, when the uploader gave it; used to skip duplicates. */
  @Index()
  @Column({ type: 'char', length: 64, nullable: true })
  sha256!: string | null;

  @Column({ name: 'source_key', type: 'varchar', length: 300 })
  sourceKey!: string;

  @Index()
  @Column({ name: 'title_id', type: 'uuid', nullable: true })
  titleId!: string | null;

  @Index()
  @Column({ name: 'episode_id', type: 'uuid', nullable: true })
  episodeId!: string | null;

  /** Storage prefix of the successful attempt's outputs; set only when the asset is ready. */
  @Column({ name: 'output_prefix', type: 'varchar', length: 300, nullable: true })
  outputPrefix!: string | null;

  @Column({ name: 'master_playlist', type: 'varchar', length: 300, nullable: true })
  masterPlaylist!: string | null;

  @Column({ name: 'poster_key', type: 'varchar', length: 300, nullable: true })
  posterKey!: string | null;

  @Column({ name: 'sprite_key', type: 'varchar', length: 300, nullable: true })
  spriteKey!: string | null;

  @Column({ name: 'thumbnails_vtt_key', type: 'varchar', length: 300, nullable: true })
  thumbnailsVttKey!: string | null;

  @Column({ name: 'duration_seconds', type: 'double precision', nullable: true })
  durationSeconds!: number | null;

  @Column({ type: 'int', nullable: true })
  width!: number | null;

  @Column({ type: 'int', nullable: true })
  height!: number | null;

  @Column({ name: 'video_codec', type: 'varchar', length: 50, nullable: true })
  videoCodec!: string | null;

  @Column({ name: 'audio_codec', type: 'varchar', length: 50, nullable: true })
  audioCodec!: string | null;

  @Column({ type: 'jsonb', default: [] })
  renditions!: RenditionView[];

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'error_message', type: 'varchar', length: 2000, nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
