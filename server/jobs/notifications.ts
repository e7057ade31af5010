import { and, asc, eq, gt, inArray, lte, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { claims, financings, ledgerOutbox, notificationCursor, organisations, repayments } from "@/db/schema";
import { beijingDate, daysBetween } from "@/contracts/ledger/maturity";
import type { LedgerEvent } from "@/contracts/ledger/types";
import { sendNotificationEmails, writeNotifications, type NotificationDraft } from "../commands/notifications";
import { mailFromEnvironment, type MailSettings } from "../mail/mailer";
import { defineJob } from "./scheduler";

/*
 * The notifications job: tells people what concerns them (issue 16). Each run (1) reads the
 * ledger's outbox after its own cursor (notification_cursor; the webhooks job keeps its own
 * mark, so neither waits for the other), turns the events into drafts for the organisations
 * they concern, and writes them and the moved cursor in one database transaction; (2) once per
 * Beijing day, looks for issuances falling due within 7 days; (3) emails what waits for email.
 * It runs on the schedule's lease, once across instances. Idempotent: a notification's
 * (person, dedupe key) is unique, so a run repeated after a crash or a lease taken over adds
 * nothing, and an email is handed over at most once (commands/notifications.ts).
 *
 * Events told, and to whom (the people of that organisation whose permission acts on the
 * category, authz.ts NOTIFIED_FROM_PERMISSION):
 *   claim.offered         the receiver                         offer
 *   financing.offered     the applicant                        decision
 *   financing.declined    the applicant, when the lender declined  decision
 *   financing.disbursed   the applicant                        money
 *   repayment.recorded    each holder paid a share             money
 *   claim.overdue         the holder, and the issuer once per issuance  overdue
 *   key.* (registered, rotated, revoked)  the organisation     organisation
 *   daily: issuances due within 7 days  the issuer and the holders of unpaid pieces  maturity
 */

const CURSOR = "ledger-outbox";
const BATCH = 500;
const MATURITY_NOTICE_DAYS = 7;
const MS_PER_DAY = 86_400_000;

type OutboxRow = typeof ledgerOutbox.$inferSelect;
/** An event as the outbox keeps it: amounts as decimal strings. */
type Stored<E> = E extends unknown ? { [K in keyof E]: E[K] extends bigint ? string : E[K] } : never;
type StoredEvent = Stored<LedgerEvent>;

/** What the drafts of a batch need, loaded in one query per table. */
interface Loaded {
  names: Map<string, string>;
  claims: Map<string, typeof claims.$inferSelect>;
  financings: Map<string, typeof financings.$inferSelect>;
  repayments: Map<string, typeof repayments.$inferSelect>;
}

const strings = (events: readonly StoredEvent[], key: string) => [
  ...new Set(events.flatMap((event) => {
    const value = (event as Record<string, unknown>)[key];
    return typeof value === "string" ? [value] : [];
  })),
];

async function load(db: Db, events: readonly StoredEvent[]): Promise<Loaded> {
  const financingIds = strings(events, "financingId");
  const repaymentIds = strings(events, "repaymentId");
  const financingRows = financingIds.length ? await db.select().from(financings).where(inArray(financings.id, financingIds)) : [];
  const repaymentRows = repaymentIds.length ? await db.select().from(repayments).where(inArray(repayments.id, repaymentIds)) : [];
  const pieceIds = [...strings(events, "claimId"), ...repaymentRows.flatMap((r) => [r.rootClaimId, ...r.allocations.map((a) => a.claimId)])];
  const pieceRows = pieceIds.length ? await db.select().from(claims).where(inArray(claims.id, [...new Set(pieceIds)])) : [];
  // An overdue piece's issuer is told what the whole issuance still owes: its root too.
  const rootIds = [...new Set(pieceRows.map((c) => c.rootId))].filter((id) => !pieceRows.some((c) => c.id === id));
  const claimRows = [...pieceRows, ...(rootIds.length ? await db.select().from(claims).where(inArray(claims.id, rootIds)) : [])];
  const orgIds = [...strings(events, "fromOrgId"), ...financingRows.map((f) => f.lenderOrgId), ...claimRows.map((c) => c.issuerOrgId)];
  const orgRows = orgIds.length ? await db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(inArray(organisations.id, [...new Set(orgIds)])) : [];
  return {
    names: new Map(orgRows.map((o) => [o.id, o.name])),
    claims: new Map(claimRows.map((c) => [c.id, c])),
    financings: new Map(financingRows.map((f) => [f.id, f])),
    repayments: new Map(repaymentRows.map((r) => [r.id, r])),
  };
}

/** The drafts of one outbox row: nothing for events nobody is told of. */
export function draftsOf(row: OutboxRow, event: StoredEvent, loaded: Loaded): NotificationDraft[] {
  const base = { dedupeKey: `outbox:${row.id}`, occurredAtMs: row.createdAtMs };
  const name = (orgId: string) => loaded.names.get(orgId) ?? orgId;
  switch (event.type) {
    case "claim.offered": {
      const claim = loaded.claims.get(event.claimId);
      return [{ ...base, orgId: event.toOrgId, category: "offer", kind: "claimOffered", subject: "claim", subjectId: event.claimId, params: { org: name(event.fromOrgId), amountMinor: event.amountMinor, date: claim?.maturityDate ?? "" } }];
    }
    case "financing.offered":
    case "financing.declined":
    case "financing.disbursed": {
      const financing = loaded.financings.get(event.financingId);
      if (!financing) return [];
      // The applicant declining an offer is its own answer: nobody else is told.
      if (event.type === "financing.declined" && event.byOrgId !== financing.lenderOrgId) return [];
      const decision = event.type !== "financing.disbursed";
      const kind = event.type === "financing.offered" ? "financingOffered" : event.type === "financing.declined" ? "financingDeclined" : "financingDisbursed";
      const params: Record<string, string> = { org: name(financing.lenderOrgId) };
      if ("netMinor" in event) params.amountMinor = String(event.netMinor);
      return [{ ...base, orgId: financing.holderOrgId, category: decision ? "decision" : "money", kind, subject: "financing", subjectId: financing.id, params }];
    }
    case "repayment.recorded": {
      const repayment = loaded.repayments.get(event.repaymentId);
      if (!repayment) return [];
      const issuer = loaded.claims.get(repayment.rootClaimId)?.issuerOrgId ?? "";
      const shares = new Map<string, { amountMinor: bigint; claimId: string }>();
      for (const allocation of repayment.allocations) {
        const share = shares.get(allocation.holderOrgId);
        shares.set(allocation.holderOrgId, { amountMinor: (share?.amountMinor ?? 0n) + BigInt(allocation.amountMinor), claimId: share?.claimId ?? allocation.claimId });
      }
      return [...shares].map(([orgId, share]) => ({
        ...base,
        orgId,
        category: "money" as const,
        kind: "repaymentReceived" as const,
        subject: "claim" as const,
        subjectId: share.claimId,
        params: { org: name(issuer), amountMinor: share.amountMinor.toString() },
      }));
    }
    case "claim.overdue": {
      const claim = loaded.claims.get(event.claimId);
      if (!claim) return [];
      const root = loaded.claims.get(claim.rootId);
      const holder: NotificationDraft = {
        ...base,
        orgId: event.holderOrgId,
        category: "overdue",
        kind: "overdueHolder",
        subject: "claim",
        subjectId: claim.id,
        params: { amountMinor: (BigInt(claim.amountMinor) - BigInt(claim.settledMinor)).toString(), date: claim.maturityDate },
      };
      // The issuer hears of an issuance once, however many of its pieces are marked together.
      const issuerParams = root ? { amountMinor: (BigInt(root.amountMinor) - BigInt(root.rootRepaidMinor)).toString(), date: root.maturityDate } : { amountMinor: "0", date: claim.maturityDate };
      const issuer: NotificationDraft = { ...base, dedupeKey: `overdue:${claim.rootId}`, orgId: claim.issuerOrgId, category: "overdue", kind: "overdueIssuer", subject: "issuance", subjectId: claim.rootId, params: issuerParams };
      return [holder, issuer];
    }
    case "key.registered":
      return [{ ...base, orgId: event.orgId, category: "organisation", kind: "keyRegistered", subject: "keys", subjectId: null, params: { keyId: event.keyId } }];
    case "key.rotated":
      return [{ ...base, orgId: event.orgId, category: "organisation", kind: "keyRotated", subject: "keys", subjectId: null, params: { keyId: event.newKeyId, oldKeyId: event.oldKeyId } }];
    case "key.revoked":
      return [{ ...base, orgId: event.orgId, category: "organisation", kind: "keyRevoked", subject: "keys", subjectId: null, params: { keyId: event.keyId } }];
    default:
      return [];
  }
}

async function readCursor(db: DbOrTx): Promise<{ leafIndex: number; outboxId: string; maturityCheckedOn: string | null }> {
  const [row] = await db.select().from(notificationCursor).where(eq(notificationCursor.name, CURSOR));
  return row ?? { leafIndex: -1, outboxId: "", maturityCheckedOn: null };
}

/** Notifies one batch of outbox rows after the cursor and moves the cursor past them, in one transaction; returns how many rows it read. */
export async function notifyFromOutbox(db: Db, nowMs: number): Promise<{ events: number; notified: number }> {
  const cursor = await readCursor(db);
  const rows = await db
    .select()
    .from(ledgerOutbox)
    .where(sql`(${ledgerOutbox.leafIndex}, ${ledgerOutbox.id}) > (${cursor.leafIndex}::bigint, ${cursor.outboxId}::text)`)
    .orderBy(asc(ledgerOutbox.leafIndex), asc(ledgerOutbox.id))
    .limit(BATCH);
  const last = rows.at(-1);
  if (!last) return { events: 0, notified: 0 };
  const events = rows.map((row) => JSON.parse(row.payload) as StoredEvent);
  const loaded = await load(db, events);
  const drafts = rows.flatMap((row, index) => draftsOf(row, events[index]!, loaded));
  const notified = await db.transaction(async (tx) => {
    const written = await writeNotifications(tx, drafts, nowMs);
    await tx
      .insert(notificationCursor)
      .values({ name: CURSOR, leafIndex: last.leafIndex, outboxId: last.id })
      .onConflictDoUpdate({ target: notificationCursor.name, set: { leafIndex: last.leafIndex, outboxId: last.id } });
    return written;
  });
  return { events: rows.length, notified };
}

/**
 * Once per Beijing day: every issuance still owed that falls due within MATURITY_NOTICE_DAYS tells
 * its issuer (who repays) and the holders of its unpaid pieces. An issuance is told of once per
 * person (its dedupe key names the root and the date), so a missed day is caught up the next.
 */
export async function notifyMaturities(db: Db, nowMs: number): Promise<{ checked: boolean; notified: number }> {
  const today = beijingDate(nowMs);
  if ((await readCursor(db)).maturityCheckedOn === today) return { checked: false, notified: 0 };
  const until = beijingDate(nowMs + MATURITY_NOTICE_DAYS * MS_PER_DAY);
  const pieces = await db
    .select()
    .from(claims)
    .where(and(gt(claims.maturityDate, today), lte(claims.maturityDate, until), inArray(claims.state, ["held", "pledged", "financed"]), sql`${claims.settledMinor} < ${claims.amountMinor}`));
  const rootIds = [...new Set(pieces.map((piece) => piece.rootId))];
  const roots = rootIds.length ? await db.select().from(claims).where(inArray(claims.id, rootIds)) : [];
  const drafts: NotificationDraft[] = [];
  for (const root of roots) {
    const dedupeKey = `maturity:${root.id}:${root.maturityDate}`;
    const days = String(daysBetween(today, root.maturityDate));
    const outstanding = (BigInt(root.amountMinor) - BigInt(root.rootRepaidMinor)).toString();
    drafts.push({ orgId: root.issuerOrgId, category: "maturity", kind: "maturitySoonIssuer", subject: "issuance", subjectId: root.id, params: { amountMinor: outstanding, date: root.maturityDate, days }, dedupeKey, occurredAtMs: nowMs });
    const held = new Map<string, { amountMinor: bigint; claimId: string }>();
    for (const piece of pieces.filter((p) => p.rootId === root.id)) {
      const share = held.get(piece.holderOrgId);
      held.set(piece.holderOrgId, { amountMinor: (share?.amountMinor ?? 0n) + BigInt(piece.amountMinor) - BigInt(piece.settledMinor), claimId: share?.claimId ?? piece.id });
    }
    for (const [orgId, share] of held) {
      if (orgId === root.issuerOrgId) continue;
      drafts.push({ orgId, category: "maturity", kind: "maturitySoonHolder", subject: "claim", subjectId: share.claimId, params: { amountMinor: share.amountMinor.toString(), date: root.maturityDate, days }, dedupeKey, occurredAtMs: nowMs });
    }
  }
  const notified = await db.transaction(async (tx) => {
    const written = await writeNotifications(tx, drafts, nowMs);
    const cursor = await readCursor(tx);
    await tx
      .insert(notificationCursor)
      .values({ name: CURSOR, leafIndex: cursor.leafIndex, outboxId: cursor.outboxId, maturityCheckedOn: today })
      .onConflictDoUpdate({ target: notificationCursor.name, set: { maturityCheckedOn: today } });
    return written;
  });
  return { checked: true, notified };
}

/** One run: the outbox until caught up (bounded), the daily maturity check, then the emails. */
export async function runNotifications(db: Db, nowMs: number, mail: MailSettings): Promise<string> {
  let events = 0;
  let notified = 0;
  for (let batch = 0; batch < 20; batch += 1) {
    const step = await notifyFromOutbox(db, nowMs);
    events += step.events;
    notified += step.notified;
    if (step.events < BATCH) break;
  }
  const maturity = await notifyMaturities(db, nowMs);
  const emails = await sendNotificationEmails(db, mail, nowMs);
  return `${events} event(s) read, ${notified + maturity.notified} notification(s) written${maturity.checked ? " (maturities checked)" : ""}; emails: ${emails.sent} sent, ${emails.failed} failed, ${emails.notConfigured} not sent (no SMTP).`;
}

export const notificationsJob = defineJob({
  name: "notifications",
  description: "Tells people what concerns them: inbox notifications from the ledger's event outbox and a daily maturity check, and their emails (at most once each).",
  intervalMs: 10_000,
  run: (db, ctx) => runNotifications(db, ctx.clock(), mailFromEnvironment()),
});
