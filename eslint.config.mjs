// Lint: typescript-eslint type-checked rules everywhere, plus the engine's purity
// rules (STYLE.md habit 1). Import direction between folders is checked by
// dependency-cruiser (.dependency-cruiser.cjs).
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      "data/**",
      "server/db/generated/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "**/*.mjs",
      "**/*.cjs",
      "next.config.js",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
    },
  },
  {
    files: ["app/**/*.tsx", "components/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts", "e2e/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    // The engine is pure: time and chance are injected, no I/O, no timers.
    files: ["server/engine/**/*.ts"],
    ignores: ["server/engine/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^(node:|[a-z@])", message: "server/engine imports only its own files (pure core)." }] },
      ],
      "no-restricted-globals": [
        "error",
        { name: "setTimeout", message: "timers live in the rings; the engine takes a Clock" },
        { name: "setInterval", message: "timers live in the rings; the engine takes a Clock" },
        { name: "setImmediate", message: "timers live in the rings" },
        { name: "performance", message: "use the injected Clock" },
        { name: "process", message: "the engine does no I/O" },
        { name: "fetch", message: "the engine does no I/O" },
        { name: "console", message: "the engine does not log; it emits events" },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "use the injected Clock" },
        { object: "Math", property: "random", message: "use the injected Rng" },
      ],
      "no-restricted-syntax": ["error", { selector: "NewExpression[callee.name='Date']", message: "use the injected Clock" }],
    },
  },
);
