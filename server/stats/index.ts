export { createStatsRecorder, type LiveInstance, type LiveService, type LiveSnapshot, type StatsRecorder, type StatsRecorderOptions } from "./recorder";
export { DEFAULT_RETENTION, runMaintenance, type MaintenanceResult, type Retention } from "./maintenance";
export { RESOLUTION_MS, bucketStart, mergeSamples, rollUp } from "./rollup";
export { MAX_POINTS, planSeries, queryInstanceSeries, querySeries, type InstanceThroughput, type Series, type SeriesPlan, type SeriesPoint } from "./series";
export { startEventStore, toRecentEvent, type EventStore, type RecentEvent } from "./event-store";
