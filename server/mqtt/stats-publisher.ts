/**
 * Periodic statistics on `{prefix}/load_balancer/stats`: one message per
 * service per recording interval, with the seed's LoadBalancerStats fields
 * (total_requests, active_connections, healthy_instances, unhealthy_instances,
 * average_response_time in seconds, algorithm, timestamp in Unix seconds) and
 * the interval's own figures. QoS 0, not queued: a periodic sample is
 * superseded by the next one, and every sample is stored in the database.
 */
import type { MqttConnection } from "./connection";

export interface ServiceStatsMessage {
  service_name: string;
  algorithm: string;
  /** Since the process started. */
  total_requests: number;
  active_connections: number;
  healthy_instances: number;
  unhealthy_instances: number;
  /** Seconds, as the seed. */
  average_response_time: number;
  interval_ms: number;
  interval_requests: number;
  interval_failed_requests: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  throughput_rps: number;
  /** Unix seconds (the seed's time.time()). */
  timestamp: number;
}

export function publishStats(connection: MqttConnection, messages: readonly ServiceStatsMessage[]): number {
  if (!connection.isConnected()) return 0;
  const topic = `${connection.topicPrefix}/load_balancer/stats`;
  for (const message of messages) connection.client.publish(topic, JSON.stringify(message), { qos: 0 });
  return messages.length;
}
