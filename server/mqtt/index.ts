export { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker";
export { connectMqtt, type ConnectOptions, type MqttConnection } from "./connection";
export { eventMessage, startEventPublisher, type EventPublisher, type PublisherStats } from "./event-publisher";
export { createHostPolicy, type HostPolicy } from "../net";
export {
  discoveryMessageSchema,
  startDiscovery,
  type Discovery,
  type RejectReason,
} from "./discovery";
export { HEARTBEAT_TIMEOUT_FACTOR, startHeartbeats, type HeartbeatVerdict, type Heartbeats } from "./heartbeats";
export { publishStats, type ServiceStatsMessage } from "./stats-publisher";
