import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The media pipeline: assets, their resumable uploads and transcoding jobs, and the table of
 * the embedded message queue (SQS semantics in PostgreSQL; see @aleflix/core SqlMessageQueue).
 * The queue table is not an entity: only the queue adapter reads and writes it.
 */
export class Media1764370000000 implements MigrationInterface {
  name = 'Media1764370000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "assets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "status" character varying(16) NOT NULL, "original_filename" character varying(500) NOT NULL, "content_type" character varying(200) NOT NULL, "size_bytes" bigint NOT NULL, "sha256" character(64), "source_key" character varying(300) NOT NULL, "title_id" uuid, "episode_id" uuid, "output_prefix" character varying(300), "master_playlist" character varying(300), "poster_key" character varying(300), "sprite_key" character varying(300), "thumbnails_vtt_key" character varying(300), "duration_seconds" double precision, "width" integer, "height" integer, "video_codec" character varying(50), "audio_codec" character varying(50), "renditions" jsonb NOT NULL DEFAULT '[]', "error_code" character varying(64), "error_message" character varying(2000), "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_da96729a8b113377cfb6a62439c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_06be3e2fd34f70a8e68e518dbf" ON "assets"  ("status") `);
    await queryRunner.query(`CREATE INDEX "IDX_de1e412d5e1e113ad49151cb54" ON "assets"  ("sha256") `);
    await queryRunner.query(`CREATE INDEX "IDX_08b60227e79d90f36a84548f6c" ON "assets"  ("title_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_260b336ad78bc9b755c70ad27d" ON "assets"  ("episode_id") `);
    await queryRunner.query(`CREATE INDEX "idx_assets_created" ON "assets"  ("created_at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "jobs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "asset_id" uuid NOT NULL, "attempt" integer NOT NULL, "status" character varying(16) NOT NULL, "output_prefix" character varying(300) NOT NULL, "progress" double precision NOT NULL DEFAULT '0', "speed" double precision, "eta_seconds" double precision, "worker_id" character varying(200), "error_code" character varying(64), "error_message" character varying(2000), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_jobs_asset_attempt" UNIQUE ("asset_id", "attempt"), CONSTRAINT "PK_cf0a6c42b72fcc7f7c237def345" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_8d31aa61b1949bfb81bd846e10" ON "jobs"  ("asset_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_a0c30e3eb9649fe7fbcd336a63" ON "jobs"  ("status") `);
    await queryRunner.query(`CREATE INDEX "idx_jobs_created" ON "jobs"  ("created_at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "uploads" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "asset_id" uuid NOT NULL, "status" character varying(16) NOT NULL, "storage_upload_id" character varying(1024) NOT NULL, "object_key" character varying(300) NOT NULL, "size_bytes" bigint NOT NULL, "part_size" integer NOT NULL, "part_count" integer NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d1781d1eedd7459314f60f39bd3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_5aea13c59a4149ee0b407fa12f" ON "uploads"  ("asset_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_a6df6dd01709506c9a21c318f2" ON "uploads"  ("expires_at") `);
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS queue_messages (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), queue text NOT NULL, body text NOT NULL, attributes jsonb NOT NULL DEFAULT '{}'::jsonb, sent_at timestamptz NOT NULL DEFAULT now(), visible_at timestamptz NOT NULL DEFAULT now(), receive_count integer NOT NULL DEFAULT 0, receipt uuid NULL, dead_lettered_at timestamptz NULL, dead_letter_reason text NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS queue_messages_ready_idx ON queue_messages (queue, visible_at) WHERE dead_lettered_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS queue_messages_receipt_idx ON queue_messages (receipt) WHERE receipt IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS queue_messages_dead_idx ON queue_messages (queue, dead_lettered_at) WHERE dead_lettered_at IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS queue_messages`);
    await queryRunner.query(`DROP INDEX "public"."IDX_a6df6dd01709506c9a21c318f2"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5aea13c59a4149ee0b407fa12f"`);
    await queryRunner.query(`DROP TABLE "uploads"`);
    await queryRunner.query(`DROP INDEX "public"."idx_jobs_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_a0c30e3eb9649fe7fbcd336a63"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8d31aa61b1949bfb81bd846e10"`);
    await queryRunner.query(`DROP TABLE "jobs"`);
    await queryRunner.query(`DROP INDEX "public"."idx_assets_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_260b336ad78bc9b755c70ad27d"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_08b60227e79d90f36a84548f6c"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_de1e412d5e1e113ad49151cb54"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_06be3e2fd34f70a8e68e518dbf"`);
    await queryRunner.query(`DROP TABLE "assets"`);
  }
}
