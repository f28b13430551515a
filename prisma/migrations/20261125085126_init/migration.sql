-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "services" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "algorithm" VARCHAR(32) NOT NULL DEFAULT 'round_robin',
    "health_check_methods" TEXT[] DEFAULT ARRAY['http']::TEXT[],
    "health_check_path" VARCHAR(512) NOT NULL DEFAULT '/health',
    "health_check_interval_ms" INTEGER NOT NULL DEFAULT 30000,
    "health_check_timeout_ms" INTEGER NOT NULL DEFAULT 5000,
    "healthy_threshold" INTEGER NOT NULL DEFAULT 2,
    "unhealthy_threshold" INTEGER NOT NULL DEFAULT 3,
    "breaker_failure_threshold" INTEGER NOT NULL DEFAULT 5,
    "breaker_recovery_timeout_ms" INTEGER NOT NULL DEFAULT 60000,
    "breaker_success_threshold" INTEGER NOT NULL DEFAULT 3,
    "request_timeout_ms" INTEGER NOT NULL DEFAULT 30000,
    "max_connections_per_instance" INTEGER NOT NULL DEFAULT 100,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "services_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "instances" (
    "id" SERIAL NOT NULL,
    "service_id" INTEGER NOT NULL,
    "instance_id" VARCHAR(128) NOT NULL,
    "host" VARCHAR(253) NOT NULL,
    "port" INTEGER NOT NULL,
    "weight" INTEGER NOT NULL DEFAULT 1,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "draining" BOOLEAN NOT NULL DEFAULT false,
    "source" VARCHAR(16) NOT NULL DEFAULT 'manual',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stat_samples" (
    "id" BIGSERIAL NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "resolution" VARCHAR(4) NOT NULL,
    "service_name" VARCHAR(64) NOT NULL,
    "instance_id" VARCHAR(128) NOT NULL DEFAULT '',
    "interval_ms" INTEGER NOT NULL,
    "algorithm" VARCHAR(32) NOT NULL,
    "total_requests" INTEGER NOT NULL,
    "failed_requests" INTEGER NOT NULL,
    "failed_5xx" INTEGER NOT NULL DEFAULT 0,
    "failed_connect" INTEGER NOT NULL DEFAULT 0,
    "failed_timeout" INTEGER NOT NULL DEFAULT 0,
    "client_aborts" INTEGER NOT NULL DEFAULT 0,
    "active_connections" INTEGER NOT NULL,
    "healthy_instances" INTEGER NOT NULL DEFAULT 0,
    "unhealthy_instances" INTEGER NOT NULL DEFAULT 0,
    "avg_response_ms" DOUBLE PRECISION NOT NULL,
    "p50_ms" DOUBLE PRECISION NOT NULL,
    "p95_ms" DOUBLE PRECISION NOT NULL,
    "p99_ms" DOUBLE PRECISION NOT NULL,
    "throughput_rps" DOUBLE PRECISION NOT NULL,
    "histogram" BYTEA,

    CONSTRAINT "stat_samples_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" BIGSERIAL NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "event_type" VARCHAR(64) NOT NULL,
    "service_name" VARCHAR(64),
    "instance_id" VARCHAR(128),
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "services_name_key" ON "services"("name");

-- CreateIndex
CREATE UNIQUE INDEX "instances_service_id_instance_id_key" ON "instances"("service_id", "instance_id");

-- CreateIndex
CREATE INDEX "stat_samples_service_name_resolution_ts_idx" ON "stat_samples"("service_name", "resolution", "ts");

-- CreateIndex
CREATE INDEX "stat_samples_resolution_ts_idx" ON "stat_samples"("resolution", "ts");

-- CreateIndex
CREATE INDEX "events_ts_idx" ON "events"("ts");

-- CreateIndex
CREATE INDEX "events_service_name_ts_idx" ON "events"("service_name", "ts");

-- AddForeignKey
ALTER TABLE "instances" ADD CONSTRAINT "instances_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE CASCADE;

