export { createProxyServer, splitTarget, type ProxyOptions, type ProxyServer } from "./proxy-server";
