import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { ESLint } from "eslint";
import { cruise, type IConfiguration } from "dependency-cruiser";
import { afterAll, describe, expect, it } from "vitest";

/*
 * `npm run lint` is what keeps the rooms of README.md's Layout true: ESLint refuses an import
 * across a forbidden boundary (eslint-plugin-boundaries, eslint.config.mjs) and
 * dependency-cruiser refuses a cycle (.dependency-cruiser.cjs). These tests lint code that is
 * not in the tree, with the project's own configuration, so that a rule that stops matching
 * (a renamed folder, a changed plugin option) fails here instead of passing silently.
 */

const root = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });

/** The boundary errors ESLint reports for `code` as if it were the file at `filePath` (it need not exist). */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "boundaries/dependencies").map((m) => m.message);
}

const CASES: [string, string, string, "refused" | "allowed"][] = [
  ["app/ reaching the database", "app/_lib/fixture.ts", `import { getDb } from "@/db/client";\nexport const x = getDb;`, "refused"],
  ["app/ importing a command", "app/(app)/fixture/page.tsx", `import { listUsers } from "@/server/commands/users";\nexport const x = listUsers;`, "refused"],
  ["app/ importing a read model's types", "app/_lib/fixture.ts", `import type { FinancingDto } from "@/server/read/financing";\nexport type X = FinancingDto;`, "refused"],
  ["app/ importing the router as a value", "app/_lib/fixture.ts", `import { appRouter } from "@/server/trpc/root";\nexport const x = appRouter;`, "refused"],
  ["app/ importing the router's type", "app/_lib/fixture.ts", `import type { AppRouter } from "@/server/trpc/root";\nexport type X = AppRouter;`, "allowed"],
  ["app/ using the server caller", "app/(app)/fixture/page.tsx", `import { serverCaller } from "@/server/trpc/server-caller";\nexport const x = serverCaller;`, "allowed"],
  ["app/ asking for the session", "app/_lib/fixture.ts", `import { currentActor } from "@/server/session/session";\nexport const x = currentActor;`, "allowed"],
  ["a read model importing a job", "server/read/fixture.ts", `import { JOBS } from "../jobs/registry";\nexport const x = JOBS;`, "refused"],
  ["a read model importing a command", "server/read/fixture.ts", `import { submitSigned } from "../commands/submit";\nexport const x = submitSigned;`, "refused"],
  ["a command importing a job", "server/commands/fixture.ts", `import { API_POST_COMMIT_HOOKS } from "../jobs/hooks";\nexport const x = API_POST_COMMIT_HOOKS;`, "refused"],
  ["the engine importing a read model", "server/ledger/fixture.ts", `import { loadVisibleClaim } from "../read/visibility";\nexport const x = loadVisibleClaim;`, "refused"],
  ["the platform signer importing the engine", "server/platform/fixture.ts", `import { submitBatch } from "../ledger/service";\nexport const x = submitBatch;`, "refused"],
  ["the authorisation rules importing the engine", "server/fixture.ts", `import { toClaim } from "./ledger/repository";\nexport const x = toClaim;`, "refused"],
  ["auth importing a command", "server/auth/fixture.ts", `import { listUsers } from "../commands/users";\nexport const x = listUsers;`, "refused"],
  ["the contracts importing the server", "contracts/fixture.ts", `import { DomainError } from "@/server/errors";\nexport const x = DomainError;`, "refused"],
  ["a job using a read model, the engine and the platform signer", "server/jobs/fixture.ts", `import { loadVisibleClaim } from "../read/visibility";\nimport { submitBatch } from "../ledger/service";\nimport { platformSigner } from "../platform/signer";\nexport const x = [loadVisibleClaim, submitBatch, platformSigner];`, "allowed"],
  ["a router using a command and a job's hooks", "server/trpc/routers/fixture.ts", `import { submitSigned } from "../../commands/submit";\nimport { API_POST_COMMIT_HOOKS } from "../../jobs/hooks";\nexport const x = [submitSigned, API_POST_COMMIT_HOOKS];`, "allowed"],
];

describe("the linter's room boundaries (eslint-plugin-boundaries, the project's eslint.config.mjs)", () => {
  it.each(CASES)("%s: %s", async (_title, filePath, code, expected) => {
    const errors = await boundaryErrors(filePath, code);
    if (expected === "allowed") expect(errors).toEqual([]);
    else expect(errors).toEqual([expect.stringMatching(/^There is no policy allowing dependencies from /)]);
  });
});

describe("the linter's cycle check (dependency-cruiser, the project's .dependency-cruiser.cjs)", () => {
  const config = createRequire(import.meta.url)(path.join(root, ".dependency-cruiser.cjs")) as IConfiguration;
  const dir = mkdtempSync(path.join(tmpdir(), "dc-cycle-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function violations(files: Record<string, string>): Promise<string[]> {
    const folder = mkdtempSync(path.join(dir, "case-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(folder, name), text);
    // The project's tsconfig paths resolve nothing in a temporary folder.
    const options = { ...config.options };
    delete options.tsConfig;
    const result = await cruise([folder], { ...options, validate: true, ruleSet: { forbidden: config.forbidden } });
    if (typeof result.output === "string") throw new Error("dependency-cruiser returned text, not a result");
    return result.output.summary.violations.map((v) => `${v.rule.name}: ${[v.from, ...(v.cycle ?? []).map((step) => step.name)].map((f) => path.basename(f)).join(" -> ")}`);
  }

  it("refuses two files that import each other, a type-only import included", async () => {
    const found = await violations({
      "a.ts": `import type { B } from "./b";\nexport interface A { b?: B }\n`,
      "b.ts": `import type { A } from "./a";\nexport interface B { a?: A }\n`,
    });
    expect(found).toContain("no-cycle: a.ts -> b.ts -> a.ts");
  });

  it("refuses a cycle through a third file, and accepts the same files once it is broken", async () => {
    const cycle = { "a.ts": `import { b } from "./b";\nexport const a = () => b;\n`, "b.ts": `import { c } from "./c";\nexport const b = () => c;\n`, "c.ts": `import { a } from "./a";\nexport const c = () => a;\n` };
    expect(await violations(cycle)).toContain("no-cycle: a.ts -> b.ts -> c.ts -> a.ts");
    expect(await violations({ ...cycle, "c.ts": `export const c = () => 1;\n` })).toEqual([]);
  });
});
