import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { EpisodeEntity } from './episode.entity.js';
import type { TitleEntity } from './title.entity.js';

@Entity({ name: 'seasons' })
@Unique('uq_seasons_title_number', ['titleId', 'number'])
export class SeasonEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'title_id', type: 'uuid' })
  titleId!: string;

  @ManyToOne('TitleEntity', 'seasons', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'title_id' })
  title?: TitleEntity;

  @Column({ type: 'int' })
  number!: number;

  @Column({ type: 'varchar', length: 300, nullable: true })
  name!: string | null;

  @Column({ type: 'text', default: '' })
  synopsis!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @OneToMany('EpisodeEntity', 'season')
  episodes?: EpisodeEntity[];
}
