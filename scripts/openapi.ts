/**
 * Writes the OpenAPI 3.1 document of /api/v1 to docs/api/openapi.json and the TypeScript
 * types generated from it (openapi-typescript) to docs/api/schema.d.ts, for integrators and
 * for the example client (scripts/integrator/). test/integration/integrator-client.test.ts
 * fails when the committed document is older than the routes.
 *
 *   npx tsx scripts/openapi.ts
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { openApiDocument } from "@/server/api/openapi";

const out = "docs/api/openapi.json";
writeFileSync(out, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
execFileSync("npx", ["openapi-typescript", out, "-o", "docs/api/schema.d.ts"], { stdio: "inherit" });
console.log(`wrote ${out} and docs/api/schema.d.ts`);
