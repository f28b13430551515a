// Who may import whom (STYLE.md "Layout and who imports whom"). A wrong import
// fails `npm run lint` instead of waiting for a review.
const RINGS = "(proxy|health|mqtt|stats)";
module.exports = {
  forbidden: [
    {
      name: "engine-is-pure",
      comment: "server/engine imports only its own files: no node:*, no npm packages, nothing else of the repo",
      severity: "error",
      from: { path: "^server/engine/", pathNot: "\\.test\\.ts$" },
      to: { pathNot: "^server/engine/" },
    },
    {
      name: "config-imports-only-zod",
      severity: "error",
      from: { path: "^server/config/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(server|app|components|e2e)/", pathNot: "^server/config/" },
    },
    {
      name: "db-not-rings-or-trpc",
      severity: "error",
      from: { path: "^server/db/" },
      to: { path: `^server/(${RINGS.slice(1, -1)}|trpc|http)/|^server/(main|runtime)\\.ts$` },
    },
    {
      name: "db-engine-types-only",
      comment: "the database maps rows to engine types; it does not drive the engine",
      severity: "error",
      from: { path: "^server/db/" },
      to: { path: "^server/engine/", dependencyTypesNot: ["type-only"], pathNot: "^server/engine/(index|types)\\.ts$" },
    },
    {
      name: "rings-meet-through-engine-events",
      comment: "proxy, health, mqtt and stats never import each other or trpc",
      severity: "error",
      from: { path: `^server/${RINGS}/` },
      to: { path: `^server/(${RINGS.slice(1, -1)}|trpc|http)/|^server/main\\.ts$`, pathNot: "^server/$1/" },
    },
    {
      name: "trpc-not-ring-internals",
      severity: "error",
      from: { path: "^server/trpc/" },
      to: { path: `^server/${RINGS}/|^server/(http)/|^server/main\\.ts$` },
    },
    {
      name: "ui-imports-router-type-only",
      comment: "app/ and components/ import only the AppRouter type from the server (the tRPC route handler excepted)",
      severity: "error",
      from: { path: "^(app|components)/", pathNot: "^app/api/trpc/" },
      to: { path: "^server/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "e2e-drives-the-product-from-outside",
      severity: "error",
      from: { path: "^e2e/" },
      to: { path: "^(server|app|components|test)/" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: { pathNot: "^server/db/generated/" },
      to: { circular: true, pathNot: "^server/db/generated/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.next|data)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
