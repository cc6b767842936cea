import { Column, Entity, Generated, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One change made by an editor or an admin: who (a copy of the actor's email and role at
 * the time, so entries outlive the account), what (action and target), when, and the
 * resource before and after. Append-only: nothing updates or deletes these rows.
 */
@Entity({ name: 'audit_log' })
@Index('idx_audit_log_seq', ['seq'], { unique: true })
@Index('idx_audit_log_target', ['targetType', 'targetId', 'seq'])
@Index('idx_audit_log_actor', ['actorId', 'seq'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Insertion order (a bigint: a string from node-postgres), so entries of one instant still sort. */
  @Column({ type: 'bigint' })
  @Generated('increment')
  seq!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_email', type: 'text', nullable: true })
  actorEmail!: string | null;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole!: string | null;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'target_type', type: 'text' })
  targetType!: string;

  @Column({ name: 'target_id', type: 'text' })
  targetId!: string;

  @Column({ type: 'jsonb', nullable: true })
  before!: object | null;

  @Column({ type: 'jsonb', nullable: true })
  after!: object | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;
}
