import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { SeasonEntity } from './season.entity.js';

@Entity({ name: 'episodes' })
@Unique('uq_episodes_season_number', ['seasonId', 'number'])
export class EpisodeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'season_id', type: 'uuid' })
  seasonId!: string;

  @ManyToOne('SeasonEntity', 'episodes', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'season_id' })
  season?: SeasonEntity;

  @Column({ type: 'int' })
  number!: number;

  @Column({ type: 'varchar', length: 300 })
  name!: string;

  @Column({ type: 'text', default: '' })
  synopsis!: string;

  @Column({ name: 'external_id', type: 'varchar', length: 200, nullable: true, unique: true })
  externalId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
