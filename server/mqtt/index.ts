export { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker";
export { connectMqtt, type ConnectOptions, type MqttConnection } from "./connection";
