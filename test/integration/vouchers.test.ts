import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import type { Database } from "@/db/client";
import { claims, voucherShares } from "@/db/schema";
import { amountInCapitals, formatChineseDate } from "@/contracts/chinese-format";
import { hexToBytes } from "@/contracts/hex";
import { deriveId } from "@/contracts/canonical";
import { verifyProvenance } from "@/contracts/provenance";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { loadActor } from "@/server/auth/accounts";
import { loadPlatformKey } from "@/server/platform/key";
import { voucherFor } from "@/server/read/voucher";
import { renderVoucherPdf } from "@/server/read/voucher-pdf";
import { publishedTrustPolicy } from "@/server/read/published-trust";
import { sharedVoucher } from "@/server/read/shared-voucher";
import { createAppRuntime, PUBLIC_VERIFY_PER_MINUTE } from "@/server/runtime/runtime";
import { answerSharedVoucher } from "@/server/trpc/public-verify";
import { latestCheckpointTextHash, requireAccepted, submitWire } from "@/server/ledger/service";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
import { buildSigned, toWire } from "@/contracts/client";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { seedDemo } from "@/server/seed/seed";
import en from "@/messages/en.json";
import zh from "@/messages/zh-CN.json";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf, runtimeFor } from "../helpers/callers";

/*
 * Issue 15: a claim's e-voucher (the facts, the PDF read back with poppler) and the share
 * links its holder gives out (who may make and revoke them, and what a link opens).
 */

let database: Database;
let tier3PieceId = "";
const HOLDER = "usr_xinyuan_1"; // Chengdu Xinyuan Components, tier 3, admin
const TIER1 = "usr_pearl_1"; // an ancestor holder of the piece: sees it, may not share it
const CORE_ADMIN = "usr_huaxin_1"; // the issuer: sees it, may not share it
const CORE_VIEWER = "usr_huaxin_2";
const LENDER = "usr_cmtb_1"; // no part in the piece: it does not exist for the bank
const AUDITOR = "usr_zhengxin_1";
const OUT = path.join("test-results", "voucher");

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db, () => {});
  const [piece] = await database.db
    .select({ id: claims.id })
    .from(claims)
    .where(and(eq(claims.holderOrgId, "org_xinyuan"), eq(claims.depth, 3), eq(claims.state, "held")))
    .limit(1);
  if (!piece) throw new Error("the demo seed has no held tier-3 piece");
  tier3PieceId = piece.id;
}, 120_000);
afterAll(async () => database?.close());

const caller = (userId: string) => callerFor(database.db, userId);
const actor = async (userId: string) => (await loadActor(database.db, userId))!;

describe("the voucher's facts", () => {
  it("names issuer, holder, tier, parent, the issuance's documents, the creating transaction and the last checkpoint", async () => {
    const voucher = await voucherFor(database.db, await actor(HOLDER), tier3PieceId);
    const [row] = await database.db.select().from(claims).where(eq(claims.id, tier3PieceId));
    const [root] = await database.db.select().from(claims).where(eq(claims.id, row!.rootId));
    expect(voucher).toMatchObject({ claimId: tier3PieceId, tier: 3, parentId: row!.parentId, rootId: row!.rootId, txId: row!.createdTxId, amountMinor: row!.amountMinor, canShare: true, shareLive: false });
    expect(voucher.holder.name).toBe("Chengdu Xinyuan Components");
    expect(voucher.issuer.orgId).toBe("org_huaxin");
    expect(voucher.documents).toEqual(root!.documents);
    // The reference typed at issuance, signed into the body beside the hashes; its column is derived from them.
    expect(voucher.documents?.reference).toBe("HX-2026-0418");
    expect(root!.tradeReference).toBe("HX-2026-0418");
    expect(row!.tradeReference).toBeNull();
    expect(voucher.checkpoint?.checkpointHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is shown to the claim's parties and auditors, and does not exist for anyone else", async () => {
    const outcomes = Object.fromEntries(
      await Promise.all([HOLDER, TIER1, CORE_ADMIN, CORE_VIEWER, AUDITOR, LENDER].map(async (userId) => [userId, await codeOf(caller(userId).vouchers.voucher({ claimId: tier3PieceId }))])),
    );
    expect(outcomes).toEqual({ [HOLDER]: "OK", [TIER1]: "OK", [CORE_ADMIN]: "OK", [CORE_VIEWER]: "OK", [AUDITOR]: "OK", [LENDER]: "NOT_FOUND" });
    expect((await caller(TIER1).vouchers.voucher({ claimId: tier3PieceId })).canShare).toBe(false);
  });
});

describe("the voucher as a PDF, read back by poppler", () => {
  for (const [locale, messages] of [
    ["zh-CN", zh],
    ["en", en],
  ] as const) {
    it(`${locale}: pdftotext finds the amount in capitals, the claim id and the maturity; pdftoppm renders the page`, async () => {
      const voucher = await voucherFor(database.db, await actor(HOLDER), tier3PieceId);
      const t = createTranslator({ locale, messages, namespace: "voucher" });
      const states = createTranslator({ locale, messages, namespace: "states" });
      const pdf = await renderVoucherPdf(
        voucher,
        (key, values) => t(key as Parameters<typeof t>[0], values),
        { date: locale === "zh-CN" ? formatChineseDate : (date) => date, dateTime: (atMs) => new Date(atMs).toISOString(), stateName: (state) => states(state as Parameters<typeof states>[0]) },
        { url: `https://double-chain.example/verify/${"x".repeat(43)}`, shared: true },
      );
      expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe("%PDF-");
      // The fonts are subset: the whole Noto Sans SC is megabytes, this page tens of kilobytes.
      expect(pdf.length).toBeLessThan(200_000);
      fs.mkdirSync(OUT, { recursive: true });
      const file = path.join(OUT, `tier3-${locale}.pdf`);
      fs.writeFileSync(file, pdf);
      const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
      expect(text).toContain(amountInCapitals(voucher.amountMinor));
      expect(text).toContain(voucher.claimId);
      expect(text).toContain(`${t("reference")} HX-2026-0418`);
      expect(text).toContain(t("title"));
      if (locale === "zh-CN") expect(text).toContain(formatChineseDate(voucher.maturityDate));
      const prefix = path.join(OUT, `tier3-${locale}`);
      const stderr = execFileSync("pdftoppm", ["-png", "-r", "72", "-singlefile", file, prefix], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(stderr).toBe("");
      const png = fs.readFileSync(`${prefix}.png`);
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(png.readUInt32BE(16)).toBe(596); // A4 at 72 dpi: 595.28 pt wide
    }, 60_000);
  }

  it("renders without font errors: poppler draws every glyph it was given (the padded subset)", async () => {
    const file = path.join(OUT, "tier3-zh-CN.pdf");
    // pdftoppm reports a broken embedded font on stderr ("Embedded font file may be invalid").
    const result = execFileSync("bash", ["-c", `pdftoppm -png -r 30 -singlefile "${file}" "${path.join(os.tmpdir(), "voucher-check")}" 2>&1`], { encoding: "utf8" });
    expect(result).toBe("");
  });
});

describe("share links", () => {
  it("the holder shares; the link opens the claim's bundle, which verifies under the operator's published key", async () => {
    const created = await caller(HOLDER).vouchers.share({ claimId: tier3PieceId });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [row] = await database.db.select().from(voucherShares).where(eq(voucherShares.id, created.id));
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.token);
    const opened = await sharedVoucher(database.db, runtimeFor(database.db).provenance, created.token);
    expect(opened.claimId).toBe(tier3PieceId);
    const policy = await publishedTrustPolicy(database.db);
    const platformKey = await loadPlatformKey(database.db);
    expect(policy.operatorKeys[0]).toContain(Buffer.from([1, ...platformKey.publicKey]).toString("base64"));
    // Through JSON, as the browser receives it.
    const bundle = JSON.parse(JSON.stringify(opened.bundle));
    const verdict = verifyProvenance(bundle, hexToBytes(platformKey.publicKeyHex, 32), nodeVerifier, { requireState: true });
    expect(verdict.ok && verdict.state?.claim.holderOrgId).toBe("org_xinyuan");
    // The voucher with the token puts the share link in its QR code.
    expect((await caller(HOLDER).vouchers.voucher({ claimId: tier3PieceId, shareToken: created.token })).shareLive).toBe(true);
  });

  it("only the holder's signing members share: parties who see the claim are refused, others told it does not exist", async () => {
    const outcomes = Object.fromEntries(
      await Promise.all([TIER1, CORE_ADMIN, CORE_VIEWER, AUDITOR, LENDER].map(async (userId) => [userId, await codeOf(caller(userId).vouchers.share({ claimId: tier3PieceId }))])),
    );
    expect(outcomes).toEqual({ [TIER1]: "FORBIDDEN", [CORE_ADMIN]: "FORBIDDEN", [CORE_VIEWER]: "FORBIDDEN", [AUDITOR]: "FORBIDDEN", [LENDER]: "NOT_FOUND" });
  });

  it("a share names a claim of the ledger: the database refuses one for a claim that does not exist (voucher_shares.claim_id references claims)", async () => {
    const made = await caller(HOLDER).vouchers.share({ claimId: tier3PieceId });
    const [existing] = await database.db.select().from(voucherShares).where(eq(voucherShares.id, made.id));
    const orphan = { ...existing!, id: "vs_orphan", tokenHash: "0".repeat(64), claimId: "c_000000000000000000000000" };
    await expect(database.db.insert(voucherShares).values(orphan)).rejects.toThrow();
    await expect(database.db.insert(voucherShares).values({ ...orphan, claimId: tier3PieceId })).resolves.toBeDefined();
  });

  it("a changed or malformed token opens nothing", async () => {
    const { token } = await caller(HOLDER).vouchers.share({ claimId: tier3PieceId });
    const changed = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    const subtrees = runtimeFor(database.db).provenance;
    for (const bad of [changed, token.slice(1), `${token}=`, ""]) {
      await expect(sharedVoucher(database.db, subtrees, bad)).rejects.toMatchObject({ code: "voucher_share_not_found" });
    }
  });

  it("other organisations cannot revoke a share or list it; the holder revokes, and the link is refused from then on", async () => {
    const { id, token } = await caller(HOLDER).vouchers.share({ claimId: tier3PieceId });
    for (const userId of [TIER1, CORE_ADMIN, AUDITOR, LENDER]) {
      expect(await codeOf(caller(userId).vouchers.revoke({ shareId: id })), userId).toBe("NOT_FOUND");
    }
    expect(await caller(TIER1).vouchers.shares({ claimId: tier3PieceId })).toEqual([]);
    expect((await caller(HOLDER).vouchers.shares({ claimId: tier3PieceId })).map((share) => share.id)).toContain(id);
    const subtrees = runtimeFor(database.db).provenance;
    await expect(sharedVoucher(database.db, subtrees, token)).resolves.toMatchObject({ claimId: tier3PieceId });
    const first = await caller(HOLDER).vouchers.revoke({ shareId: id });
    await expect(sharedVoucher(database.db, subtrees, token)).rejects.toMatchObject({ code: "voucher_share_revoked" });
    const again = await caller(HOLDER).vouchers.revoke({ shareId: id });
    expect(again.revokedAtMs).toBe(first.revokedAtMs);
    expect((await caller(HOLDER).vouchers.voucher({ claimId: tier3PieceId, shareToken: token })).shareLive).toBe(false);
  });
});

describe("the public answer behind /verify/<token>", () => {
  it(`serves ${PUBLIC_VERIFY_PER_MINUTE} requests a minute per address, unknown tokens included, then 429 verify_rate_limited with Retry-After; other addresses go on, and the next minute opens again`, async () => {
    let nowMs = Date.now();
    const runtime = createAppRuntime(database.db, { clock: () => nowMs });
    const { token } = await caller(HOLDER).vouchers.share({ claimId: tier3PieceId });
    const unknownToken = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    const ask = (address: string, asked = token) => answerSharedVoucher(runtime, new Request(`http://localhost/api/verify/${asked}`, { headers: { "x-forwarded-for": `${address}, 10.0.0.2` } }), asked);
    const walked: number[] = [];
    for (let i = 1; i < PUBLIC_VERIFY_PER_MINUTE; i++) walked.push((await ask("203.0.113.7", unknownToken)).status);
    expect(walked).toEqual(Array<number>(PUBLIC_VERIFY_PER_MINUTE - 1).fill(404));
    expect((await ask("203.0.113.7")).status).toBe(200);
    const refused = await ask("203.0.113.7");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await refused.json()).toMatchObject({ code: "verify_rate_limited" });
    const other = await ask("198.51.100.4");
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ claimId: tier3PieceId });
    nowMs += 60_000;
    expect((await ask("203.0.113.7")).status).toBe(200);
  });

  it("a share lapses when its holder splits the claim: the link opens nothing, since the claim now stands only as its pieces", async () => {
    const [held] = await database.db
      .select({ id: claims.id, amountMinor: claims.amountMinor, settledMinor: claims.settledMinor })
      .from(claims)
      .where(and(eq(claims.holderOrgId, "org_pearl"), eq(claims.state, "held")))
      .limit(1);
    if (!held) throw new Error("the demo seed has no claim held by the tier-1 supplier");
    const { token } = await caller(TIER1).vouchers.share({ claimId: held.id });
    const runtime = createAppRuntime(database.db);
    const open = () => answerSharedVoucher(runtime, new Request(`http://localhost/api/verify/${token}`, { headers: { "x-forwarded-for": "192.0.2.10" } }), token);
    expect((await open()).status).toBe(200);
    const unpaid = held.amountMinor - held.settledMinor;
    const wire = toWire(
      buildSigned(demoIdentity("org_pearl"), "claim.split", { claimId: held.id, parts: [{ toOrgId: "org_pearl", amountMinor: unpaid - 100n }, { toOrgId: "org_xinyuan", amountMinor: 100n }] }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() }),
    );
    requireAccepted(await submitWire(database.db, wire));
    const [split] = await database.db.select({ holderOrgId: claims.holderOrgId, state: claims.state }).from(claims).where(eq(claims.id, held.id));
    expect(split).toEqual({ holderOrgId: "org_pearl", state: "split" });
    const lapsed = await open();
    expect(lapsed.status).toBe(404);
    expect(await lapsed.json()).toMatchObject({ code: "voucher_share_lapsed" });
  });

  // Last in the file: it finances the tier-3 piece the tests above share.
  it("a share lapses when its claim leaves the holder that shared it (financed by the bank): the link opens nothing, with its own code", async () => {
    const { token } = await caller(HOLDER).vouchers.share({ claimId: tier3PieceId });
    const runtime = createAppRuntime(database.db);
    const open = () => answerSharedVoucher(runtime, new Request(`http://localhost/api/verify/${token}`, { headers: { "x-forwarded-for": "192.0.2.9" } }), token);
    expect((await open()).status).toBe(200);
    const submit = async <K extends TransactionType>(orgId: string, type: K, body: TransactionBodies[K]) => {
      const wire = toWire(buildSigned(demoIdentity(orgId), type, body, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() }));
      return requireAccepted(await submitWire(database.db, wire)).txId;
    };
    const requestTx = await submit("org_xinyuan", "financing.request", { claimId: tier3PieceId, lenderOrgId: "org_cmtb" });
    const financingId = deriveId("fin", requestTx, 0);
    await submit("org_cmtb", "financing.offer", { financingId, rateBps: 450, feeMinor: 0n, disbursementDate: addDays(Date.now(), 0), recourse: false, checkpointHash: (await latestCheckpointTextHash(database.db))! });
    await submit("org_xinyuan", "financing.accept", { financingId });
    await submit("org_cmtb", "financing.disburse", { financingId, paymentReference: "CMTB-LAPSE-1", checkpointHash: (await latestCheckpointTextHash(database.db))! });
    const [claim] = await database.db.select({ holderOrgId: claims.holderOrgId }).from(claims).where(eq(claims.id, tier3PieceId));
    expect(claim?.holderOrgId).toBe("org_cmtb");
    const lapsed = await open();
    expect(lapsed.status).toBe(404);
    const body = (await lapsed.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: "voucher_share_lapsed" });
    expect(body).not.toHaveProperty("bundle");
    await expect(sharedVoucher(database.db, runtime.provenance, token)).rejects.toMatchObject({ code: "voucher_share_lapsed" });
  });
});
