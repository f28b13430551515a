// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-side packages stay plain Node modules (not bundled): the route
  // handler only reaches them through the runtime built by server/main.ts.
  serverExternalPackages: ["@prisma/client", "pg", "pino", "undici", "mqtt", "aedes", "@electric-sql/pglite", "@electric-sql/pglite-socket"],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
