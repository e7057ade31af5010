import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

/** The Content Security Policy is not here: it carries a fresh nonce per request, so proxy.ts sets it. */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
  // Browsers honour HSTS only over HTTPS, so it is harmless on a plain-HTTP demo.
  { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" },
];

const nextConfig: NextConfig = {
  // PGlite ships WASM and data files that must be loaded from node_modules at run time,
  // and postgres.js is a plain Node library; neither should be bundled. Nor graphile-worker (the
  // job queue on PostgreSQL, with its own driver pg), which loads its configuration at run time.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "graphile-worker", "pg"],
  poweredByHeader: false,
  // Types are checked once by `npm run typecheck` (its own CI step), not a second time inside the build.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

/** next-intl finds its request configuration in i18n/request.ts. */
const withNextIntl = createNextIntlPlugin();

export default withNextIntl(nextConfig);
