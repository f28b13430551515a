-- AlterTable
ALTER TABLE "stat_samples" ADD COLUMN     "max_ms" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "status_4xx" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE UNIQUE INDEX "stat_samples_resolution_service_name_instance_id_ts_key" ON "stat_samples"("resolution", "service_name", "instance_id", "ts");

