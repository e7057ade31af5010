import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Database, Db } from "@/db/client";
import { claims, financings, organisations } from "@/db/schema";
import { identityFor, type SigningIdentity } from "@/contracts/client";
import type { OrganisationRole } from "@/contracts/ledger/types";
import { appRouter } from "@/server/trpc/root";
import { loadPlatformKey } from "@/server/platform/key";
import { requireAccepted, submitWire } from "@/server/ledger/service";
import { applyForOnboarding } from "@/server/commands/organisations";
import { loadActor } from "@/server/auth/accounts";
import { inviteUser } from "@/server/commands/users";
import { requestRegistration } from "@/server/commands/keys";
import { shareVoucher } from "@/server/commands/voucher-shares";
import { seedDemo } from "@/server/seed/seed";
import { DEMO_PASSWORD, demoUserId } from "@/server/seed/demo-data";
import { createTestDatabase } from "../helpers/db";
import { callerFor, runtimeFor } from "../helpers/callers";
import { addFigures } from "./figures";
import { bankLineId, codeOf, freshDocuments, ids, signed, stateHash } from "./support";

// Passkeys need a site (a domain name); set before the environment is first read.
vi.hoisted(() => {
  process.env.WEBAUTHN_RP_ID = "bank.example";
});

/*
 * Every tRPC procedure x every role, with the expected answer, as a table. The procedures
 * are enumerated from appRouter itself: a procedure added without a row here fails the
 * first test, and a row for a procedure that no longer exists fails it too. A denied call
 * must leave the whole database exactly as it was.
 */

const ROLES = ["operator", "core", "supplier", "lender", "auditor", "pending", "viewer", "anonymous"] as const;
type Role = (typeof ROLES)[number];

const USER_OF: Record<Role, string | null> = {
  operator: "usr_operator_1", // Double-chain Operations, admin
  core: "usr_huaxin_1", // Huaxin Electronics, admin
  supplier: "usr_pearl_1", // Pearl River Assembly (tier 1), admin
  lender: "usr_cmtb_1", // China Merchants Trade Bank, admin
  auditor: "usr_zhengxin_1", // Zhengxin Audit, viewer
  pending: "usr_metalworks_1", // Guangzhou Precision Metalworks, awaiting review, admin
  viewer: "usr_huaxin_2", // Huaxin Electronics, viewer permission
  anonymous: null,
};
const ORG_OF: Record<Role, string> = {
  operator: "org_operator",
  core: "org_huaxin",
  supplier: "org_pearl",
  lender: "org_cmtb",
  auditor: "org_zhengxin",
  pending: "org_metalworks",
  viewer: "org_huaxin",
  anonymous: "org_pearl",
};

const CODES = { O: "OK", F: "FORBIDDEN", U: "UNAUTHORIZED", N: "NOT_FOUND", B: "BAD_REQUEST" } as const;
/** Eight letters in ROLES order: O allowed, F FORBIDDEN, U UNAUTHORIZED, N NOT_FOUND (hidden), B BAD_REQUEST (refused on its merits). */
function expect8(letters: string): Record<Role, string> {
  const list = letters.split(/\s+/);
  if (list.length !== ROLES.length) throw new Error(`expected ${ROLES.length} outcomes, got "${letters}"`);
  return Object.fromEntries(ROLES.map((role, i) => [role, CODES[list[i] as keyof typeof CODES]])) as Record<Role, string>;
}

interface Row {
  procedure: string;
  scenario: string;
  expected: Record<Role, string>;
  /** Builds the input for one cell (fresh fixtures for mutations that consume them). */
  input?: (role: Role) => unknown;
  /** Checks an allowed answer: what it returns to whom (no data leak). */
  check?: (result: unknown, role: Role) => void;
}

let database: Database;
let db: Db;
const fx = {
  rootClaimId: "",
  tier1KeptId: "",
  financingId: "",
  inviteToken: "",
  operatorKey: null as unknown as SigningIdentity,
};
const unique = () => randomBytes(5).toString("hex");
const MISSING_CLAIM = `c_${"0".repeat(24)}`;
const MISSING_LINE = `cl_${"0".repeat(24)}`;

async function actorOf(userId: string) {
  const actor = await loadActor(db, userId);
  if (!actor) throw new Error(`no actor ${userId}`);
  return actor;
}

async function freshInvite(orgId = "org_pearl") {
  return inviteUser(db, await actorOf("usr_operator_1"), { orgId, email: `invitee-${unique()}@example.com`, name: "Invitee", permission: "maker" });
}

async function orgRecord(orgId: string) {
  const [org] = await db.select().from(organisations).where(eq(organisations.id, orgId));
  if (!org) throw new Error(`no organisation ${orgId}`);
  return org;
}

/** A key.register signed by a brand-new key of the organisation: what its browser sends. */
async function keyRegistration(orgId: string) {
  const org = await orgRecord(orgId);
  const key = identityFor(orgId, new Uint8Array(randomBytes(32)));
  return signed(key, "key.register", { orgId, orgName: org.name, role: org.role as OrganisationRole, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole: "admin", holderUserId: demoUserId(orgId) });
}

const REQUESTERS = ["usr_lingnan_1", "usr_xinyuan_1", "usr_gbfactor_1"];
let requesterTurn = 0;
let otherOrgRequestId = "";
async function freshKeyRequest() {
  const userId = REQUESTERS[requesterTurn++ % REQUESTERS.length]!;
  const actor = await actorOf(userId);
  return requestRegistration(db, actor, await keyRegistration(actor.orgId));
}

function ownKey(role: Role): SigningIdentity {
  switch (role) {
    case "operator":
      return fx.operatorKey;
    case "core":
    case "viewer":
      return ids.core;
    case "lender":
      return ids.bank;
    case "auditor":
      return ids.auditor;
    case "pending":
      return identityFor("org_metalworks", new Uint8Array(32).fill(7));
    default:
      return ids.tier1;
  }
}

const APPROVED = "O O O O O F O U";
const ROWS: Row[] = [
  { procedure: "auth.me", scenario: "who am I", expected: expect8("O O O O O O O U"), check: (r, role) => expect((r as { userId: string }).userId).toBe(USER_OF[role]) },
  {
    procedure: "auth.applyToJoin",
    scenario: "a new organisation applies (public)",
    expected: expect8("O O O O O O O O"),
    input: () => ({ organisationName: `Applicant ${unique()}`, role: "supplier", city: "Foshan", registrationNumber: "", adminName: "Applicant", adminEmail: `applicant-${unique()}@example.com`, adminPassword: "a long enough password" }),
  },
  { procedure: "auth.describeInvite", scenario: "an invitation link (public)", expected: expect8("O O O O O O O O"), input: () => ({ token: fx.inviteToken }) },
  {
    procedure: "auth.acceptInvite",
    scenario: "an invitation accepted (public, token is the credential)",
    expected: expect8("O O O O O O O O"),
    input: async () => ({ token: (await freshInvite()).inviteToken, password: "a long enough password" }),
  },
  { procedure: "auth.requestPasswordReset", scenario: "a reset link asked for (public, answers alike for any address)", expected: expect8("O O O O O O O O"), input: () => ({ email: `nobody-${unique()}@example.com` }) },
  { procedure: "auth.resetPassword", scenario: "a reset with a token nobody was sent (public)", expected: expect8("N N N N N N N N"), input: () => ({ token: randomBytes(32).toString("base64url"), password: "a long enough password" }) },
  { procedure: "auth.passkeySignInOptions", scenario: "a sign-in challenge (public)", expected: expect8("O O O O O O O O") },
  { procedure: "auth.passkeyRegistrationOptions", scenario: "a challenge to make a passkey for oneself", expected: expect8("O O O O O O O U") },
  {
    procedure: "auth.registerPasskey",
    scenario: "a passkey answer to a challenge nobody was given",
    expected: expect8("B B B B B B B U"),
    input: () => ({ response: { id: "AAAA", rawId: "AAAA", type: "public-key", response: { clientDataJSON: Buffer.from(JSON.stringify({ type: "webauthn.create", challenge: randomBytes(32).toString("base64url") })).toString("base64url"), attestationObject: "AAAA" }, clientExtensionResults: {} } }),
  },
  { procedure: "auth.myPasskeys", scenario: "one's own sign-in passkeys", expected: expect8("O O O O O O O U") },
  { procedure: "auth.renamePasskey", scenario: "rename a passkey one does not have", expected: expect8("N N N N N N N U"), input: () => ({ credentialId: randomBytes(16).toString("base64url"), name: "Work laptop" }) },
  { procedure: "auth.removePasskey", scenario: "remove a passkey one does not have", expected: expect8("N N N N N N N U"), input: () => ({ credentialId: randomBytes(16).toString("base64url") }) },
  { procedure: "organisations.list", scenario: "every organisation with review status", expected: expect8("O F F F O F F U") },
  { procedure: "organisations.directory", scenario: "approved organisations to address", expected: expect8(APPROVED) },
  { procedure: "organisations.get", scenario: "another organisation (Pearl River)", expected: expect8("O F O F O F F U"), input: () => ({ orgId: "org_pearl" }) },
  { procedure: "organisations.get", scenario: "the caller's own organisation", expected: expect8("O O O O O O O U"), input: (role) => ({ orgId: ORG_OF[role] }) },
  {
    procedure: "organisations.review",
    scenario: "approve a pending applicant",
    expected: expect8("O F F F F F F U"),
    input: async () => ({ orgId: (await applyForOnboarding(db, { organisationName: `Pending ${unique()}`, role: "supplier", city: "", registrationNumber: "91350100M000100Y43", adminName: "P", adminEmail: `pending-${unique()}@example.com`, adminPassword: DEMO_PASSWORD })).orgId, decision: "approved" }),
  },
  { procedure: "users.list", scenario: "Pearl River's people", expected: expect8("O F O F F F F U"), input: () => ({ orgId: "org_pearl" }) },
  { procedure: "users.invite", scenario: "invite into Pearl River", expected: expect8("O F O F F F F U"), input: () => ({ orgId: "org_pearl", email: `new-${unique()}@example.com`, name: "New Person", permission: "maker" }) },
  { procedure: "users.update", scenario: "change a Pearl River member's permission", expected: expect8("O F O F F F F U"), input: async () => ({ userId: (await freshInvite()).user.id, permission: "approver" }) },
  {
    procedure: "ledger.submit",
    scenario: "a transaction signed for Pearl River",
    expected: expect8("F F O F F F F U"),
    input: () => signed(ids.tier1, "claim.release", { claimId: MISSING_CLAIM }),
    check: (r) => expect(r).toMatchObject({ status: "refused", code: "claim_not_found" }),
  },
  {
    procedure: "ledger.submit",
    scenario: "a transaction signed with the caller's own organisation's key",
    expected: expect8("O O O O F F F U"),
    input: (role) => signed(ownKey(role), "claim.release", { claimId: MISSING_CLAIM }),
    check: (r) => expect(r).toMatchObject({ status: "refused", code: "claim_not_found" }),
  },
  { procedure: "ledger.dashboard", scenario: "own figures", expected: expect8(APPROVED) },
  { procedure: "ledger.claimRows", scenario: "own list (holdings and offers, financed claims, issuances; the live claims for an auditor)", expected: expect8(APPROVED), check: (r) => expect(Array.isArray(r)).toBe(true) },
  {
    procedure: "ledger.issueRecipients",
    scenario: "the suppliers the issue form offers (core enterprise only): its tier-1 suppliers and new ones, never a tier-2 or tier-3 it reaches through splits",
    expected: expect8("F O F F F F O U"),
    check: (r) => {
      const { tier1, others } = r as { tier1: { id: string }[]; others: { id: string }[] };
      expect(tier1.map((s) => s.id)).toContain("org_pearl");
      expect([...tier1, ...others].map((s) => s.id)).not.toContain("org_lingnan");
      expect([...tier1, ...others].map((s) => s.id)).not.toContain("org_xinyuan");
    },
  },
  {
    procedure: "ledger.maturities",
    scenario: "what falls due on the caller's issuances (core enterprise only)",
    expected: expect8("F O F F F F O U"),
    check: (r) => expect((r as unknown[]).length).toBeGreaterThan(0),
  },
  {
    procedure: "ledger.creditLines",
    scenario: "credit lines received or granted",
    expected: expect8(APPROVED),
    check: (r, role) => {
      for (const line of r as { lenderOrgId: string }[]) expect(role === "lender" ? line.lenderOrgId === "org_cmtb" : role === "core" || role === "viewer").toBe(true);
    },
  },
  {
    procedure: "ledger.grantableCoreEnterprises",
    scenario: "core enterprises a lender's admin can grant a line to",
    expected: expect8("F F F O F F F U"),
    check: (r) => expect(r).toEqual([{ id: "org_huaxin", name: "Huaxin Electronics Co., Ltd." }]),
  },
  {
    procedure: "ledger.submit",
    scenario: "a credit line decision signed with the caller's own key: only a lender's admin",
    expected: expect8("F F F O F F F U"),
    input: (role) => signed(ownKey(role), "creditLine.freeze", { creditLineId: MISSING_LINE, frozen: true }),
    check: (r) => expect(r).toMatchObject({ status: "refused", code: "credit_line_not_found" }),
  },
  { procedure: "ledger.issuanceTree", scenario: "the demo issuance (穿透)", expected: expect8("O O N N O F O U"), input: () => ({ rootId: fx.rootClaimId }) },
  {
    procedure: "ledger.history",
    scenario: "own history",
    expected: expect8(APPROVED),
    check: (r, role) => {
      for (const e of r as { signerOrgId: string; outgoing: boolean }[]) expect(e.outgoing).toBe(e.signerOrgId === ORG_OF[role]);
    },
  },
  { procedure: "ledger.provenance", scenario: "tier 1's own piece (a lender with no part in it is refused)", expected: expect8("O O O N O F O U"), input: () => ({ claimId: fx.tier1KeptId }) },
  { procedure: "ledger.operatorKey", scenario: "the verification anchor", expected: expect8(APPROVED) },
  { procedure: "ledger.status", scenario: "log size and checkpoint", expected: expect8(APPROVED) },
  {
    procedure: "ledger.myClaims",
    scenario: "own book",
    expected: expect8(APPROVED),
    check: (r, role) => {
      for (const c of r as { holderOrgId: string; offeredToOrgId: string | null }[]) expect(c.holderOrgId === ORG_OF[role] || c.offeredToOrgId === ORG_OF[role]).toBe(true);
    },
  },
  { procedure: "ledger.claim", scenario: "tier 1's own piece", expected: expect8("O O O N O F O U"), input: () => ({ claimId: fx.tier1KeptId }) },
  { procedure: "vouchers.voucher", scenario: "tier 1's own piece's e-voucher (whoever sees the claim)", expected: expect8("O O O N O F O U"), input: () => ({ claimId: fx.tier1KeptId }) },
  {
    procedure: "vouchers.shares",
    scenario: "the share links of tier 1's piece: each organisation sees only its own",
    expected: expect8("O O O N O F O U"),
    input: () => ({ claimId: fx.tier1KeptId }),
    check: (r, role) => {
      if (role !== "supplier") expect(r).toEqual([]);
    },
  },
  {
    procedure: "vouchers.share",
    scenario: "share tier 1's piece's voucher (its holder only; other parties refused, strangers told nothing)",
    expected: expect8("F F O N F F F U"),
    input: () => ({ claimId: fx.tier1KeptId }),
    check: (r) => expect((r as { token: string }).token).toMatch(/^[A-Za-z0-9_-]{43}$/),
  },
  {
    procedure: "vouchers.revoke",
    scenario: "revoke a share tier 1 made (only the organisation that made it)",
    expected: expect8("N N O N N F N U"),
    input: async () => ({ shareId: (await shareVoucher(db, await actorOf("usr_pearl_1"), { id: fx.tier1KeptId, holderOrgId: "org_pearl" }, Date.now())).id }),
  },
  {
    procedure: "ledger.tradeDocuments",
    scenario: "tier 1's own piece shows its issuance's document hashes (a lender with no part in it is refused)",
    expected: expect8("O O O N O F O U"),
    input: () => ({ claimId: fx.tier1KeptId }),
    check: (r) => expect((r as { documents: { invoiceSha256: string } | null }).documents?.invoiceSha256).toMatch(/^[0-9a-f]{64}$/),
  },
  { procedure: "financing.lendersForClaim", scenario: "tier 1's own piece", expected: expect8("O O O N O F O U"), input: () => ({ claimId: fx.tier1KeptId }) },
  {
    procedure: "financing.pledges",
    scenario: "active pledges given or received (tier 2's pledge to the factor is nobody else's business)",
    expected: expect8(APPROVED),
    check: (r) => expect(r).toEqual([]),
  },
  {
    procedure: "financing.list",
    scenario: "financings the organisation takes part in",
    expected: expect8(APPROVED),
    check: (r, role) => {
      for (const f of r as { holderOrgId: string; lenderOrgId: string }[]) expect([f.holderOrgId, f.lenderOrgId]).toContain(ORG_OF[role]);
    },
  },
  {
    procedure: "financing.get",
    scenario: "the demo financing (tier 3 with the bank): null to non-parties",
    expected: expect8(APPROVED),
    input: () => ({ financingId: fx.financingId }),
    check: (r, role) => expect(r === null).toBe(role !== "lender"),
  },
  {
    procedure: "financing.policies",
    scenario: "auto-financing policies (a lender its own, a core enterprise those for it, operator and auditor all)",
    expected: expect8("O O F O O F O U"),
    check: (r, role) => {
      for (const p of r as { lenderOrgId: string; coreEnterpriseOrgId: string }[]) {
        if (role === "lender") expect(p.lenderOrgId).toBe("org_cmtb");
        if (role === "core" || role === "viewer") expect(p.coreEnterpriseOrgId).toBe("org_huaxin");
      }
    },
  },
  { procedure: "financing.policyTargets", scenario: "core enterprises a lender may set a policy for", expected: expect8("F F F O F F F U") },
  { procedure: "financing.policyActivity", scenario: "what a lender's policies financed", expected: expect8("F F F O F F F U"), check: (r) => expect(r).toEqual([]) },
  {
    procedure: "financing.policyOffers",
    scenario: "instant offers for tier 1's own piece: only its holder gets any",
    expected: expect8("O O O N O F O U"),
    input: () => ({ claimId: fx.tier1KeptId }),
    check: (r, role) => expect((r as unknown[]).length > 0).toBe(role === "supplier"),
  },
  {
    procedure: "reports.portfolio",
    scenario: "own dashboard charts (business organisations only)",
    expected: expect8("F O O O F F O U"),
    check: (r, role) => {
      const charts = r as { id: string; slices: { key: string }[] }[];
      if (role === "lender") expect(charts.map((c) => c.id)).toEqual(["exposure-by-core", "exposure-by-maturity"]);
      else expect(charts.map((c) => c.id)).toEqual([role === "supplier" ? "supplier-cash" : "outstanding-by-tier"]);
    },
  },
  {
    procedure: "reports.exportCsv",
    scenario: "own financings as CSV (nobody else's)",
    expected: expect8("F O O O F F O U"),
    input: () => ({ dataset: "financings" }),
    check: (r, role) => {
      const rows = (r as { csv: string }).csv.trim().split("\r\n").slice(1);
      // Only financings the caller's organisation is a party to (holder or lender); a core enterprise is never one.
      const party = ({ supplier: "Pearl River Assembly Ltd.", lender: "China Merchants Trade Bank" } as Partial<Record<Role, string>>)[role];
      if (!party) expect(rows).toEqual([]);
      for (const row of rows) expect(row).toContain(party);
    },
  },
  {
    procedure: "reports.exportCsv",
    scenario: "own holdings as CSV",
    expected: expect8("F O O O F F O U"),
    input: () => ({ dataset: "holdings" }),
    check: (r, role) => {
      for (const line of (r as { csv: string }).csv.trim().split("\r\n").slice(1)) expect(role === "supplier" || role === "lender", line).toBe(true);
    },
  },
  { procedure: "keys.requestRegistration", scenario: "a new key for the caller's own organisation", expected: expect8("O O O O F F F U"), input: (role) => ({ signed: keyRegistrationCache.get(role) }) },
  { procedure: "keys.myKeys", scenario: "own organisation's keys", expected: expect8(APPROVED) },
  { procedure: "keys.keySetProof", scenario: "own organisation's committed key set with its state proof", expected: expect8(APPROVED) },
  { procedure: "keys.pendingRequests", scenario: "the operator's review queue", expected: expect8("O F F F F F F U") },
  { procedure: "keys.decide", scenario: "reject a pending key request", expected: expect8("O F F F F F F U"), input: async () => ({ requestId: (await freshKeyRequest()).id, decision: "rejected" }) },
  {
    procedure: "keys.confirm",
    scenario: "confirm another organisation's key request with the caller's own key: only that organisation's admins",
    expected: expect8("F F F F F F F U"),
    input: async (role) => {
      // One request serves every cell: a denied call leaves it pending.
      otherOrgRequestId ||= (await freshKeyRequest()).id;
      return { requestId: otherOrgRequestId, keyId: ownKey(role).keyId, signatureHex: "0".repeat(128) };
    },
  },
  {
    procedure: "jobs.list",
    scenario: "the shared schedule of background jobs (operator only)",
    expected: expect8("O F F F F F F U"),
    check: (r) => expect((r as { name: string }[]).map((job) => job.name)).toContain("overdue"),
  },
  // Settings → API & webhooks: an approved organisation's admins only, each for their own organisation.
  { procedure: "integrations.apiKeys", scenario: "the organisation's API keys", expected: expect8("O O O O F F F U") },
  {
    procedure: "integrations.createApiKey",
    scenario: "a read key for the caller's organisation",
    expected: expect8("O O O O F F F U"),
    input: () => ({ name: `erp-${unique()}`, scopes: ["read"], expiresInDays: 30 }),
    check: (r) => expect(r).toMatchObject({ token: expect.stringMatching(/^dck_/), scopes: ["read"], id: expect.any(String) }),
  },
  { procedure: "integrations.revokeApiKey", scenario: "a key that does not exist (or is another organisation's)", expected: expect8("N N N N F F F U"), input: () => ({ keyId: "key_missing" }) },
  { procedure: "integrations.audit", scenario: "the organisation's API audit log", expected: expect8("O O O O F F F U") },
  { procedure: "integrations.webhookEvents", scenario: "the events an endpoint may choose", expected: expect8("O O O O O F O U") },
  { procedure: "integrations.webhookEndpoints", scenario: "the organisation's webhook endpoints", expected: expect8("O O O O F F F U") },
  {
    procedure: "integrations.createWebhookEndpoint",
    scenario: "an https endpoint for claim offers",
    expected: expect8("O O O O F F F U"),
    input: () => ({ url: `https://erp-${unique()}.example.com/hooks`, events: ["claim.offered"] }),
  },
  { procedure: "integrations.setWebhookEndpointEnabled", scenario: "an endpoint that does not exist", expected: expect8("N N N N F F F U"), input: () => ({ endpointId: "whe_missing", enabled: false }) },
  { procedure: "integrations.webhookDeliveries", scenario: "the organisation's webhook deliveries", expected: expect8("O O O O F F F U") },
  { procedure: "integrations.redeliver", scenario: "a delivery that does not exist", expected: expect8("N N N N F F F U"), input: () => ({ deliveryId: "msg_missing" }) },
  // The approvals queue (maker-checker): an organisation's own people only; an item of another organisation is "not found".
  {
    procedure: "approvals.hold",
    scenario: "hold Huaxin's small issuance (its policy needs no approval for it; only Huaxin's key holder may hold it)",
    expected: expect8("F B F F F F F U"),
    input: async () => ({ signed: signed(ids.core, "claim.issue", { creditLineId: await bankLineId(db), toOrgId: "org_pearl", amountMinor: 1_000n, currency: "CNY", maturityDate: "2099-12-31", documents: freshDocuments() }) }),
  },
  { procedure: "approvals.list", scenario: "the own organisation's queue (makers and up)", expected: expect8("O O O O F F F U"), check: (r) => expect(r).toMatchObject({ waiting: expect.any(Array), mine: expect.any(Array), decided: expect.any(Array) }) },
  { procedure: "approvals.waitingCount", scenario: "how many wait for the caller (0 for anyone who cannot approve)", expected: expect8(APPROVED), check: (r) => expect(typeof r).toBe("number") },
  { procedure: "approvals.get", scenario: "a queue item that does not exist (or is another organisation's)", expected: expect8("N N N N N F N U"), input: () => ({ id: "apr_missing" }) },
  {
    procedure: "approvals.approve",
    scenario: "approve a queue item that does not exist (or is another organisation's)",
    expected: expect8("N N N N N F N U"),
    input: () => ({ id: "apr_missing", cosignature: { orgId: "org_huaxin", keyId: ids.core.keyId, signatureHex: "0".repeat(128) } }),
  },
  { procedure: "approvals.reject", scenario: "reject a queue item that does not exist", expected: expect8("N N N N N F N U"), input: () => ({ id: "apr_missing", reason: "no" }) },
  { procedure: "approvals.withdraw", scenario: "withdraw a queue item that does not exist", expected: expect8("N N N N N F N U"), input: () => ({ id: "apr_missing" }) },
  // The inbox and notification choices: every signed-in person, about themselves alone (the actor's user id).
  {
    procedure: "notifications.list",
    scenario: "the caller's own inbox",
    expected: expect8("O O O O O O O U"),
    input: () => ({ limit: 10 }),
    check: (r) => expect(r).toMatchObject({ items: expect.any(Array), more: expect.any(Boolean) }),
  },
  { procedure: "notifications.unreadCount", scenario: "the caller's unread count", expected: expect8("O O O O O O O U"), check: (r) => expect(typeof r).toBe("number") },
  { procedure: "notifications.markRead", scenario: "a notification that does not exist (or is another person's)", expected: expect8("N N N N N N N U"), input: () => ({ id: "ntf_missing" }) },
  { procedure: "notifications.markAllRead", scenario: "the caller's own notifications", expected: expect8("O O O O O O O U"), input: () => ({ seenUpToMs: Date.now() }) },
  { procedure: "notifications.preferences", scenario: "the caller's own choices", expected: expect8("O O O O O O O U") },
  {
    procedure: "notifications.setPreferences",
    scenario: "the caller's own choices",
    expected: expect8("O O O O O O O U"),
    input: () => ({ inApp: ["offer", "money"], email: ["offer"], locale: "en" }),
  },
];

const keyRegistrationCache = new Map<Role, unknown>();

function procedureAt(caller: unknown, path: string): (input?: unknown) => Promise<unknown> {
  let node = caller as Record<string, unknown>;
  for (const part of path.split(".")) node = node[part] as Record<string, unknown>;
  return node as unknown as (input?: unknown) => Promise<unknown>;
}

const logged: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedDemo(db);
  const [root] = await db.select().from(claims).where(sql`${claims.parentId} is null and ${claims.amountMinor} = 100000000`);
  const [kept] = await db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_pearl' and ${claims.state} = 'held' and ${claims.rootId} = ${root!.id}`);
  const [financing] = await db.select().from(financings).where(sql`${financings.holderOrgId} = 'org_xinyuan'`);
  fx.rootClaimId = root!.id;
  fx.tier1KeptId = kept!.id;
  fx.financingId = financing!.id;
  fx.inviteToken = (await freshInvite()).inviteToken;
  // A pledge between tier 2 and the factor, neither of which is a role in the matrix.
  const [tier2Kept] = await db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held'`);
  requireAccepted(await submitWire(db, signed(ids.tier2, "claim.pledge", { claimId: tier2Kept!.id, lenderOrgId: "org_gbfactor" })));
  const platform = await loadPlatformKey(db);
  fx.operatorKey = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
  for (const role of ROLES) keyRegistrationCache.set(role, await keyRegistration(ORG_OF[role]));
  for (const method of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await database?.close();
});

describe("attack matrix: every procedure x every role", () => {
  it("has a row for every procedure of appRouter, and no row for a procedure that does not exist", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    const covered = new Set(ROWS.map((r) => r.procedure));
    expect(procedures.filter((p) => !covered.has(p)), "procedures without a row in the attack matrix").toEqual([]);
    expect([...covered].filter((p) => !procedures.includes(p)), "rows for procedures that do not exist").toEqual([]);
  });

  for (const row of ROWS) {
    it(`${row.procedure}: ${row.scenario}`, async ({ task }) => {
      const outcomes: Record<string, string> = {};
      for (const role of ROLES) {
        await runtimeFor(db).limits.submissions.clear();
        const input = row.input ? await row.input(role) : undefined;
        const before = await stateHash(db);
        let result: unknown;
        const code = await codeOf(
          procedureAt(callerFor(db, USER_OF[role]), row.procedure)(input).then((r) => {
            result = r;
          }),
        );
        outcomes[role] = code;
        if (code !== "OK") expect(await stateHash(db), `${row.procedure} denied to ${role} changed the database`).toBe(before);
        else row.check?.(result, role);
      }
      expect(outcomes).toEqual(row.expected);
      addFigures(task, { attackCells: ROLES.length });
    });
  }

  it("logged nothing: no internal error, no secret, no personal data", () => {
    expect(logged).toEqual([]);
  });
});
