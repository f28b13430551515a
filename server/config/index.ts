export { ConfigError, loadConfig, redactUrl, type Config } from "./env";
export {
  ConfigFileError,
  configDocumentSchema,
  formatOf,
  parseConfigDocument,
  stringifyConfigDocument,
  type ConfigDocument,
  type ConfigFormat,
} from "./config-file";
