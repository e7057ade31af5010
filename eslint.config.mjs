import next from "eslint-config-next";
import nextTs from "eslint-config-next/typescript";
import boundaries from "eslint-plugin-boundaries";

/*
 * The rooms of the code and which way their imports may point (README.md, Layout). A file's
 * room is the first element whose pattern matches it; an import from one room into another
 * that its policy does not allow is an error. Import cycles are refused separately, by
 * dependency-cruiser (.dependency-cruiser.cjs), which sees the whole graph at once.
 */
const ROOMS = [
  { type: "contracts", pattern: "contracts" },
  { type: "db", pattern: "db" },
  { type: "app", pattern: "app" },
  { type: "crypto", pattern: "server/crypto" },
  { type: "platform", pattern: "server/platform" },
  { type: "ledger", pattern: "server/ledger" },
  { type: "auth", pattern: "server/auth" },
  { type: "mail", pattern: "server/mail" },
  { type: "read", pattern: "server/read" },
  { type: "commands", pattern: "server/commands" },
  { type: "jobs", pattern: "server/jobs" },
  { type: "runtime", pattern: "server/runtime" },
  { type: "session", pattern: "server/session" },
  { type: "trpc", pattern: "server/trpc" },
  { type: "seed", pattern: "server/seed" },
  { type: "witness", pattern: "server/witness" },
  { type: "api", pattern: "server/api" },
  // The files directly in server/: the actor, every authorisation rule, errors, env, ids.
  { type: "server-core", pattern: "server" },
];

/*
 * The files app/ may import from the other rooms, and nothing else there: the tRPC entries of
 * server components and route handlers, the session, the rules pages show or hide things by,
 * the actor they take, and the plain enums. The router itself only as a type (below).
 */
const FILES = [
  { category: "app-entry", pattern: "server/trpc/server-caller.ts" },
  { category: "app-entry", pattern: "server/trpc/http.ts" },
  { category: "app-entry", pattern: "server/trpc/log-http.ts" },
  { category: "app-entry", pattern: "server/trpc/voucher-http.ts" },
  { category: "app-entry", pattern: "server/api/http.ts" },
  { category: "app-entry", pattern: "server/session/session.ts" },
  { category: "app-entry", pattern: "server/authz.ts" },
  { category: "app-entry", pattern: "server/actor.ts" },
  { category: "app-entry", pattern: "server/network.ts" },
  { category: "app-entry", pattern: "db/enums.ts" },
  { category: "router-type", pattern: "server/trpc/root.ts" },
];

/** Whom each room may import (itself included); everything else is refused. */
const FOUNDATION = ["contracts", "db", "server-core"];
const MAY_IMPORT = {
  contracts: ["contracts"],
  db: ["db", "contracts"],
  "server-core": FOUNDATION,
  crypto: ["crypto", ...FOUNDATION],
  platform: ["platform", ...FOUNDATION],
  ledger: ["ledger", "crypto", "platform", ...FOUNDATION],
  auth: ["auth", ...FOUNDATION],
  mail: ["mail", ...FOUNDATION],
  read: ["read", "ledger", "platform", ...FOUNDATION],
  commands: ["commands", "auth", "mail", "crypto", "ledger", "platform", ...FOUNDATION],
  jobs: ["jobs", "read", "commands", "mail", "ledger", "platform", ...FOUNDATION],
  runtime: ["runtime", "auth", "mail", "crypto", "jobs", "ledger", ...FOUNDATION],
  session: ["session", "auth", "runtime", ...FOUNDATION],
  trpc: ["trpc", "session", "auth", "runtime", "read", "commands", "jobs", "ledger", ...FOUNDATION],
  api: ["api", "runtime", "read", "commands", "ledger", ...FOUNDATION],
  seed: ["seed", "auth", "jobs", "ledger", "platform", ...FOUNDATION],
  // A separate service with its own database (scripts/witness.ts): it knows only the contracts and the folder lock.
  witness: ["witness", "contracts", "db"],
  app: ["app", "contracts"],
};

const roomPolicies = Object.entries(MAY_IMPORT).map(([from, to]) => ({
  from: { element: { type: from } },
  allow: { to: { element: { types: { anyOf: to } } } },
}));

const config = [
  ...next,
  ...nextTs,
  {
    ignores: ["node_modules/**", ".next/**", "data/**", "db/migrations/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
  {
    files: ["**/*.{ts,tsx,mjs,js}"],
    plugins: { boundaries },
    settings: {
      "boundaries/elements": ROOMS,
      "boundaries/files": FILES,
      "boundaries/include": ["app/**", "server/**", "db/**", "contracts/**"],
    },
    rules: {
      "boundaries/dependencies": [
        "error",
        {
          default: "disallow",
          policies: [
            // Packages are not rooms: any room may use them (next.config and package.json decide which exist).
            { allow: { to: { module: { origin: "external" } } } },
            { allow: { to: { module: { origin: "core" } } } },
            ...roomPolicies,
            { from: { element: { type: "app" } }, allow: { to: { file: { categories: "app-entry" } } } },
            // app/ knows the router only as a type: inferRouterOutputs<AppRouter> (app/_trpc/types.ts).
            { from: { element: { type: "app" } }, allow: { to: { file: { categories: "router-type" } }, dependency: { kind: "type" } } },
          ],
        },
      ],
    },
  },
];

export default config;
