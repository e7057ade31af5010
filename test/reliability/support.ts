import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, creditLines, financings, pledges } from "@/db/schema";
import { buildSigned, toWire, type SigningIdentity } from "@/contracts/client";
import { deriveId, sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import { assertRootInvariants } from "@/contracts/ledger/invariants";
import { MemoryState } from "@/contracts/ledger/state";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { verifyDatabase } from "@/server/ledger/export";
import { toClaim, toPledge } from "@/server/ledger/repository";
import { requireAccepted, submitWire, type SubmitResult } from "@/server/ledger/service";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";

export const nonce = () => randomBytes(16).toString("hex");

/** A signed transaction in wire form, fresh nonce, signed now. */
export function signed<K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K], cosigners: SigningIdentity[] = []) {
  return toWire(buildSigned(who, type, body, { nonce: nonce(), createdAtMs: Date.now(), cosigners }));
}

export const ids = {
  core: demoIdentity("org_huaxin"),
  tier1: demoIdentity("org_pearl"),
  tier2: demoIdentity("org_lingnan"),
  tier3: demoIdentity("org_xinyuan"),
  bank: demoIdentity("org_cmtb"),
  factor: demoIdentity("org_gbfactor"),
  auditor: demoIdentity("org_zhengxin"),
};

export const DOCUMENTS = {
  invoiceSha256: sha256Hex(utf8ToBytes("reliability invoice")),
  contractSha256: sha256Hex(utf8ToBytes("reliability contract")),
  deliveryNoteSha256: sha256Hex(utf8ToBytes("reliability delivery note")),
};

/** The documents with an invoice of their own: one invoice backs at most one live issuance. */
export function freshDocuments(): typeof DOCUMENTS {
  return { ...DOCUMENTS, invoiceSha256: randomBytes(32).toString("hex") };
}

// The tRPC code of a call, or "OK" (shared with the integration tests).
export { codeOf } from "../helpers/callers";

export async function bankLineId(db: Db): Promise<string> {
  const [line] = await db.select({ id: creditLines.id }).from(creditLines).where(sql`${creditLines.lenderOrgId} = 'org_cmtb'`);
  if (!line) throw new Error("the demo bank credit line is missing");
  return line.id;
}

/**
 * Claims held by tier 1 (Pearl River), issued by the core enterprise on the bank's credit
 * line and accepted, set up directly through the ledger service (not the rate-limited API).
 */
export async function heldClaims(db: Db, count: number, amountMinor = 1_000_000n, holder = ids.tier1): Promise<string[]> {
  const lineId = await bankLineId(db);
  const issues = Array.from({ length: count }, () =>
    buildSigned(ids.core, "claim.issue", { creditLineId: lineId, toOrgId: holder.orgId, amountMinor, currency: "CNY", maturityDate: addDays(Date.now(), 90), documents: freshDocuments() }, { nonce: nonce(), createdAtMs: Date.now() }),
  );
  const claimIds: string[] = [];
  for (const issue of issues) {
    const issued = requireAccepted(await submitWire(db, toWire(issue)));
    const claimId = deriveId("c", issued.txId, 0);
    requireAccepted(await submitWire(db, signed(holder, "claim.accept", { claimId })));
    claimIds.push(claimId);
  }
  return claimIds;
}

export function accepted(results: readonly SubmitResult[]) {
  return results.filter((r): r is Extract<SubmitResult, { status: "accepted" }> => r.status === "accepted");
}

export function refusedCodes(results: readonly SubmitResult[]): string[] {
  return results.flatMap((r) => (r.status === "refused" ? [r.code] : []));
}

/**
 * A digest of every row of every table in the public schema (users, sessions-free auth
 * data, organisations, key requests, the log and the materialised ledger): equal digests
 * mean nothing at all changed. The rate-limit windows (rate_limit_windows) are left out: an
 * attempt is counted against the organisation's budget whether or not the ledger accepts it.
 * `except` names further tables left out (the API's audit log of the calls themselves,
 * written on every request).
 */
export async function stateHash(db: Db, except: readonly string[] = []): Promise<string> {
  const tables = (await db.execute(
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'rate_limit_windows' order by table_name`,
  )) as unknown as { name: string }[];
  const parts: string[] = [];
  for (const { name } of tables) {
    if (except.includes(name)) continue;
    const [row] = (await db.execute(
      sql.raw(`select count(*)::text as n, coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), '') as h from "${name.replaceAll('"', '""')}" t`),
    )) as unknown as { n: string; h: string }[];
    parts.push(`${name}:${row?.n}:${row?.h}`);
  }
  return sha256Hex(utf8ToBytes(parts.join("\n")));
}

/**
 * The ledger's money invariants, checked on the materialised tables independently of the
 * service: every issuance tree (assertRootInvariants: pieces sum to the face, splits sum to
 * their parent, one active pledge), every credit line used within its limit and exactly by
 * its uncancelled, unrepaid issuances, and at most one open financing per claim.
 */
export async function checkInvariants(db: Db): Promise<{ roots: number; claims: number }> {
  const claimRows = (await db.select().from(claims)).map(toClaim);
  const pledgeRows = (await db.select().from(pledges)).map(toPledge);
  const state = new MemoryState({ claims: claimRows, pledges: pledgeRows });
  const roots = claimRows.filter((c) => c.parentId === null);
  for (const root of roots) assertRootInvariants(state, root.id);
  const lines = await db.select().from(creditLines);
  for (const line of lines) {
    if (line.usedMinor < 0n || line.usedMinor > line.limitMinor) throw new Error(`credit line ${line.id}: used ${line.usedMinor} outside [0, ${line.limitMinor}]`);
    const owed = roots
      .filter((r) => r.creditLineId === line.id && r.state !== "rejected" && r.state !== "withdrawn")
      .reduce((sum, r) => sum + r.amountMinor - r.rootRepaidMinor, 0n);
    if (owed !== line.usedMinor) throw new Error(`credit line ${line.id}: used ${line.usedMinor} but its issuances owe ${owed}`);
  }
  const open = (await db.select().from(financings)).filter((f) => f.status === "requested" || f.status === "offered" || f.status === "accepted");
  const perClaim = new Map<string, number>();
  for (const f of open) perClaim.set(f.claimId, (perClaim.get(f.claimId) ?? 0) + 1);
  for (const [claimId, n] of perClaim) if (n > 1) throw new Error(`claim ${claimId}: ${n} open financings`);
  return { roots: roots.length, claims: claimRows.length };
}

/** verifyDatabase must pass (the `npm run verify` check); returns how many transactions it replayed. */
export async function verifyOk(db: Db): Promise<number> {
  const result = await verifyDatabase(db, nodeVerifier);
  if (!result.ok) throw new Error(`verifyDatabase failed: ${JSON.stringify(result.failure)}`);
  return result.summary.transactions;
}

export { deriveId, toWire, buildSigned, demoIdentity, addDays };
