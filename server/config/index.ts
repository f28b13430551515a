export { ConfigError, loadConfig, redactUrl, type Config } from "./env";
