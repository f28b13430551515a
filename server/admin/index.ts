export { AdminError, createAdminOperations, syncService, type Actor, type AdminOperations, type InstanceInput } from "./operations";
