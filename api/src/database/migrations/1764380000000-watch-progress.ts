import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Watch progress: one resume point per user and movie or episode. */
export class WatchProgress1764380000000 implements MigrationInterface {
  name = 'WatchProgress1764380000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "watch_progress" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "media_id" uuid NOT NULL, "title_id" uuid NOT NULL, "episode_id" uuid, "position_seconds" double precision NOT NULL, "duration_seconds" double precision, "completed" boolean NOT NULL DEFAULT false, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_watch_progress_user_media" UNIQUE ("user_id", "media_id"), CONSTRAINT "PK_801581ad1b82f180fb37ea79167" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_watch_progress_user_updated" ON "watch_progress"  ("user_id", "updated_at")`,
    );
    await queryRunner.query(
      `ALTER TABLE "watch_progress" ADD CONSTRAINT "FK_4a10da827bd3f6cdc00a7cba930" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "watch_progress" DROP CONSTRAINT "FK_4a10da827bd3f6cdc00a7cba930"`);
    await queryRunner.query(`DROP INDEX "public"."idx_watch_progress_user_updated"`);
    await queryRunner.query(`DROP TABLE "watch_progress"`);
  }
}
