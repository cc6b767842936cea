import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** One transcoding attempt of an asset. */
@Entity({ name: 'jobs' })
@Unique('uq_jobs_asset_attempt', ['assetId', 'attempt'])
@Index('idx_jobs_created', ['createdAt', 'id'])
export class JobEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column({ name: 'asset_id', type: 'uuid' })
  assetId!: string;

  @Column({ type: 'int' })
  attempt!: number;

  @Index()
  @Column({ type: 'varchar', length: 16 })
  status!: JobStatus;

  @Column({ name: 'output_prefix', type: 'varchar', length: 300 })
  outputPrefix!: string;

  @Column({ type: 'double precision', default: 0 })
  progress!: number;

  @Column({ type: 'double precision', nullable: true })
  speed!: number | null;

  @Column({ name: 'eta_seconds', type: 'double precision', nullable: true })
  etaSeconds!: number | null;

  @Column({ name: 'worker_id', type: 'varchar', length: 200, nullable: true })
  workerId!: string | null;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'error_message', type: 'varchar', length: 2000, nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
