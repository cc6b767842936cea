import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const UPLOAD_STATUSES = ['open', 'completed', 'aborted', 'expired'] as const;
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

/** A resumable multipart upload of one asset's source. */
@Entity({ name: 'uploads' })
export class UploadEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column({ name: 'asset_id', type: 'uuid' })
  assetId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: UploadStatus;

  /** The storage backend's multipart upload id. */
  @Column({ name: 'storage_upload_id', type: 'varchar', length: 1024 })
  storageUploadId!: string;

  @Column({ name: 'object_key', type: 'varchar', length: 300 })
  objectKey!: string;

  @Column({
    name: 'size_bytes',
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) },
  })
  sizeBytes!: number;

  @Column({ name: 'part_size', type: 'int' })
  partSize!: number;

  @Column({ name: 'part_count', type: 'int' })
  partCount!: number;

  @Index()
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
