import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit log of editor and admin actions. */
export class AuditLog1764390000000 implements MigrationInterface {
  name = 'AuditLog1764390000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "seq" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_id" uuid, "actor_email" text, "actor_role" text, "api_key_id" uuid, "action" text NOT NULL, "target_type" text NOT NULL, "target_id" text NOT NULL, "before" jsonb, "after" jsonb, "request_id" text, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_audit_log_actor" ON "audit_log"  ("actor_id", "seq") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_log_target" ON "audit_log"  ("target_type", "target_id", "seq") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "idx_audit_log_seq" ON "audit_log"  ("seq") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_audit_log_seq"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_log_target"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_log_actor"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
  }
}
