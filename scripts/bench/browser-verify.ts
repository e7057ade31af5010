/**
 * Browser-side verification, measured in Chromium (issue 13, "Measure"): the bundle of a claim at
 * the end of a depth-10 lineage (splits with commitments, so siblings are hidden), with its state
 * proofs and a checkpoint note cosigned by three witnesses, verified under a pinned 2-of-3 policy by
 * the verifier the desk ships (verifyProvenanceBatched with WebCrypto Ed25519), in Debian's
 * Chromium (/usr/bin/chromium, headless, through Playwright; never a downloaded browser).
 *
 *   npx tsx scripts/bench/browser-verify.ts [--runs 30] [--plain]
 *   DATABASE_URL=postgres://… npx tsx scripts/bench/browser-verify.ts --db dc_bench_ledger [--runs 30]
 *
 * Without --db the ledger is the demo seed plus the lineage, on an in-memory PGlite: small. With
 * --db it is a large ledger built by `npm run bench:seed -- --tx N --db NAME` on that server: the
 * bundle is that of its first live depth-10 claim (the seed's lineages carry splits without
 * commitments), and its inclusion proofs have log2 n hashes (18 at 266,000 entries, 20 at a
 * million). The head checkpoint gets three witness cosignatures in both cases (fresh keys, added
 * to checkpoint_cosignatures as the app stores them). Then the verification's two parts, each timed
 * alone: the JavaScript with every signature answered at once, and the bundle's signatures checked
 * by WebCrypto as one batch. Prints figures; asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { and, asc, desc, eq, inArray, like } from "drizzle-orm";
import { openDatabase, type Db } from "@/db/client";
import { checkpointCosignatures, claims, ledgerCheckpoints } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { bytesToHex } from "@/contracts/hex";
import { cosignNoteText, formatSignatureLine, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey, parseNote } from "@/contracts/note";
import { commitSplitParts } from "@/contracts/split-commitments";
import { formatTrustPolicy } from "@/contracts/trust-policy";
import { publicKeyFromPrivate } from "@/contracts/signing";
import { ledgerOrigin } from "@/server/env";
import { buildProvenanceBundle, ProvenanceStore } from "@/server/ledger/provenance";
import { requireAccepted, submitWire } from "@/server/ledger/service";
import { loadPlatformKey } from "@/server/platform/key";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { seedDemo } from "@/server/seed/seed";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1] || 30);
/** --plain: splits without commitments (siblings shown whole), to see what the commitments cost. */
const plain = process.argv.includes("--plain");
const dbArg = process.argv.indexOf("--db");
const benchDb = dbArg > 0 ? process.argv[dbArg + 1] : undefined;
/** A localhost address (a secure context, so WebCrypto is there) that the bench answers itself. */
const BENCH_URL = "http://localhost/browser-verify-bench";
const nonce = () => randomBytes(16).toString("hex");

async function depthTenBundle() {
  if (benchDb !== undefined) return largeLedgerBundle(benchDb);
  const database = openDatabase({ kind: "pglite", dataDir: null });
  await database.migrate();
  await seedDemo(database.db);
  const db = database.db;
  const a = demoIdentity("org_lingnan");
  const b = demoIdentity("org_xinyuan");
  const [start] = await db.select().from(claims).where(eq(claims.amountMinor, 19_960_000n));
  let claimId = start!.id;
  let amountMinor = start!.amountMinor;
  let holder = a;
  // Ten hand-overs between two suppliers, each keeping a sibling piece: depth grows by one each time.
  for (let step = start!.depth; step < 10; step++) {
    const other = holder === a ? b : a;
    const passed = amountMinor / 2n;
    const clear = [{ toOrgId: other.orgId, amountMinor: passed }, { toOrgId: holder.orgId, amountMinor: amountMinor - passed }];
    const parts = plain ? clear : commitSplitParts(clear, randomBytes);
    const split = requireAccepted(await submitWire(db, toWire(buildSigned(holder, "claim.split", { claimId, parts }, { nonce: nonce(), createdAtMs: Date.now() }))));
    claimId = deriveId("c", split.txId, 0);
    requireAccepted(await submitWire(db, toWire(buildSigned(other, "claim.accept", { claimId }, { nonce: nonce(), createdAtMs: Date.now() }))));
    holder = other;
    amountMinor = passed;
  }
  const [claim] = await db.select().from(claims).where(eq(claims.id, claimId));
  const result = await cosignedBundle(db, claimId, claim!.depth);
  await database.close();
  return result;
}

/** A depth-10 claim of a bench ledger (bench:seed) on DATABASE_URL. */
async function largeLedgerBundle(name: string) {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("--db needs DATABASE_URL (the PostgreSQL server holding the bench ledger)");
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = openDatabase({ kind: "postgres", url: url.toString(), max: 4 });
  const db = database.db;
  const [claim] = await db
    .select({ id: claims.id, depth: claims.depth })
    .from(claims)
    .where(and(eq(claims.depth, 10), inArray(claims.state, ["held", "financed", "pledged", "offered"])))
    .orderBy(asc(claims.id))
    .limit(1);
  if (!claim) throw new Error(`${name} has no live depth-10 claim`);
  await db.delete(checkpointCosignatures).where(like(checkpointCosignatures.witnessName, "bench-witness.%"));
  const result = await cosignedBundle(db, claim.id, claim.depth, "bench-witness");
  await database.close();
  return result;
}

async function cosignedBundle(db: Db, claimId: string, depth: number, prefix = "witness") {
  // Three witnesses cosign the last checkpoint (what server/witness does after its replay).
  const [head] = await db.select().from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(1);
  if (!head) throw new Error("the ledger has no checkpoint");
  const parsed = parseNote(head.note!);
  if (!parsed.ok) throw new Error(parsed.detail);
  const witnesses = ["bank", "factor", "auditor"].map((name) => {
    const privateKey = randomBytes(32);
    const witnessName = `${prefix}.${name}.example`;
    return { witnessName, privateKey, key: noteVerifierKey(witnessName, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, publicKeyFromPrivate(privateKey)) };
  });
  for (const witness of witnesses) {
    const line = formatSignatureLine(cosignNoteText(parsed.note.text, witness.witnessName, witness.privateKey, Math.floor(Date.now() / 1000)));
    await db.insert(checkpointCosignatures).values({ size: head.size, witnessName: witness.witnessName, line, timestampSeconds: Math.floor(Date.now() / 1000) });
  }
  const bundle = await buildProvenanceBundle(db, claimId, new ProvenanceStore());
  const platform = await loadPlatformKey(db);
  const policy = formatTrustPolicy({ origin: ledgerOrigin(), logKeys: [noteVerifierKey(ledgerOrigin(), NOTE_SIGNATURE_TYPE_ED25519, platform.publicKey)], witnesses: witnesses.map((w) => w.key), quorum: 2 });
  return { bundle, policy, operatorKeyHex: bytesToHex(platform.publicKey), depth, size: head.size };
}

function browserBundle(dir: string): string {
  const entry = path.join(dir, "entry.ts");
  writeFileSync(
    entry,
    [
      `import { verifyProvenance, verifyProvenanceBatched } from "${path.resolve("contracts/provenance")}";`,
      `import { parseTrustPolicy } from "${path.resolve("contracts/trust-policy")}";`,
      `import { hexToBytes } from "${path.resolve("contracts/hex")}";`,
      `import { createWebCryptoVerifier } from "${path.resolve("app/_lib/webcrypto-verifier")}";`,
      `(globalThis as any).benchVerify = async (bundle: any, policyJson: any, keyHex: string) => {`,
      `  const parsed = parseTrustPolicy(policyJson); if (!parsed.ok) throw new Error(parsed.detail);`,
      `  const batch = await createWebCryptoVerifier();`,
      `  const started = performance.now();`,
      `  const result = await verifyProvenanceBatched(bundle, hexToBytes(keyHex, 32), batch as any, { policy: parsed.policy });`,
      `  return { ms: performance.now() - started, ok: result.ok, code: result.ok ? null : result.code, detail: result.ok ? null : result.detail };`,
      `};`,
      // The two parts of one verification: the JavaScript with every signature answered at once,
      // and the bundle's signatures checked by WebCrypto as one batch.
      `(globalThis as any).benchParts = async (bundle: any, policyJson: any, keyHex: string) => {`,
      `  const parsed = parseTrustPolicy(policyJson); if (!parsed.ok) throw new Error(parsed.detail);`,
      `  const key = hexToBytes(keyHex, 32); const checks: any[] = [];`,
      `  let started = performance.now();`,
      `  verifyProvenance(bundle, key, (publicKey, message, signature) => (checks.push({ publicKey, message, signature }), true), { policy: parsed.policy });`,
      `  const javaScriptMs = performance.now() - started;`,
      `  const batch = createWebCryptoVerifier()();`,
      `  started = performance.now(); for (const check of checks) batch.add(check);`,
      `  const answers = await batch.answers();`,
      `  return { javaScriptMs, signaturesMs: performance.now() - started, signatures: checks.length, valid: answers.every(Boolean) };`,
      `};`,
      `(globalThis as any).benchEd25519 = async () => {`,
      `  if (!globalThis.isSecureContext || !globalThis.crypto?.subtle) return false;`,
      `  return crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]).then(() => true, () => false);`,
      `};`,
    ].join("\n"),
  );
  const out = path.join(dir, "verify.js");
  execFileSync(path.resolve("node_modules/.bin/esbuild"), [entry, "--bundle", "--format=iife", "--platform=browser", `--alias:@=${path.resolve(".")}`, `--outfile=${out}`, "--log-level=error"]);
  return readFileSync(out, "utf8");
}

async function main(): Promise<void> {
  const { bundle, policy, operatorKeyHex, depth, size } = await depthTenBundle();
  const saveArg = process.argv.indexOf("--save");
  // --save FILE: the bundle, policy and key as JSON, to profile the verifier elsewhere (scripts/bench/verify-profile.ts).
  if (saveArg > 0) writeFileSync(process.argv[saveArg + 1]!, JSON.stringify({ bundle, policy, operatorKeyHex }));
  const dir = mkdtempSync(path.join(tmpdir(), "browser-verify-"));
  const script = browserBundle(dir);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const page = await browser.newPage();
  // WebCrypto (crypto.subtle) exists only in a secure context: about:blank from setContent is not
  // one, and there the verifier falls back to @noble/curves for every signature. The page is
  // served as http://localhost, which browsers treat as secure, as the app is in development.
  await page.route(BENCH_URL, (route) => route.fulfill({ contentType: "text/html", body: "<html><body>bench</body></html>" }));
  await page.goto(BENCH_URL);
  await page.addScriptTag({ content: script });
  const ed25519 = await page.evaluate(() => (globalThis as unknown as { benchEd25519: () => Promise<boolean> }).benchEd25519());
  if (!ed25519) throw new Error("WebCrypto has no Ed25519 on the bench page: the figures would be @noble/curves'");
  const profileArg = process.argv.indexOf("--profile");
  // --profile FILE: a V8 CPU profile of the timed runs in Chromium (summarise with cpuprofile-summary.ts).
  const cdp = profileArg > 0 ? await page.context().newCDPSession(page) : undefined;
  const times: number[] = [];
  for (let run = 0; run < runs + 1; run++) {
    if (run === 1 && cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
      await cdp.send("Profiler.start");
    }
    const result = await page.evaluate(([b, p, k]) => (globalThis as unknown as { benchVerify: (...args: unknown[]) => Promise<{ ms: number; ok: boolean; code: string | null; detail: string | null }> }).benchVerify(b, p, k), [bundle, policy, operatorKeyHex] as const);
    if (!result.ok) throw new Error(`verification failed in Chromium: ${result.code}: ${result.detail}`);
    if (run > 0) times.push(result.ms);
  }
  const parts: { javaScriptMs: number; signaturesMs: number; signatures: number; valid: boolean }[] = [];
  for (let run = 0; run < runs + 1; run++) {
    const part = await page.evaluate(([b, p, k]) => (globalThis as unknown as { benchParts: (...args: unknown[]) => Promise<(typeof parts)[number]> }).benchParts(b, p, k), [bundle, policy, operatorKeyHex] as const);
    if (!part.valid) throw new Error("a signature of the bundle did not verify in WebCrypto");
    if (run > 0) parts.push(part);
  }
  if (cdp) writeFileSync(process.argv[profileArg + 1]!, JSON.stringify((await cdp.send("Profiler.stop")).profile));
  await browser.close();
  const proofHashes = bundle.inclusionProofs.reduce((sum, proof) => sum + proof.proofHex.length, 0);
  console.log(`${benchDb ? `bench ledger ${benchDb}` : plain ? "plain splits" : "splits with commitments"}: browser verification in Chromium (${await chromiumVersion()}, WebCrypto Ed25519), depth-${depth} claim, ledger of ${size} entries, ${bundle.entries.length} entries in the bundle, ${proofHashes} inclusion-proof hashes, state proofs, 3 cosignatures (2-of-3 policy), ${JSON.stringify(bundle).length} bytes`);
  console.log(`  first run excluded; ${runs} runs: ${spread(times)}`);
  console.log(`  its parts, ${runs} runs each: the JavaScript with signatures answered at once ${spread(parts.map((part) => part.javaScriptMs))}; the ${parts[0]!.signatures} signatures as one WebCrypto batch ${spread(parts.map((part) => part.signaturesMs))}`);
}

function spread(samples: readonly number[]): string {
  const sorted = [...samples].sort((x, y) => x - y);
  return `p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
}

async function chromiumVersion(): Promise<string> {
  try {
    return execFileSync("/usr/bin/chromium", ["--version"]).toString().trim();
  } catch {
    return "chromium";
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
