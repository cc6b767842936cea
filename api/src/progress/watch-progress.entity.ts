import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/** Where a user stopped watching a movie or an episode. */
@Entity({ name: 'watch_progress' })
@Unique('uq_watch_progress_user_media', ['userId', 'mediaId'])
@Index('idx_watch_progress_user_updated', ['userId', 'updatedAt'])
export class WatchProgressEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  /** The movie's title id or the episode id: what `GET /media/stream/{id}` plays. */
  @Column({ name: 'media_id', type: 'uuid' })
  mediaId!: string;

  @Column({ name: 'title_id', type: 'uuid' })
  titleId!: string;

  @Column({ name: 'episode_id', type: 'uuid', nullable: true })
  episodeId!: string | null;

  @Column({ name: 'position_seconds', type: 'double precision' })
  positionSeconds!: number;

  @Column({ name: 'duration_seconds', type: 'double precision', nullable: true })
  durationSeconds!: number | null;

  @Column({ type: 'boolean', default: false })
  completed!: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
