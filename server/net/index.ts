export { createHostPolicy, type HostPolicy } from "./host-policy";
