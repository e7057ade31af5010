import { createHash } from "node:crypto";
import { and, asc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { invites, organisations, signingKeys, users, type Permission, type UserStatus } from "@/db/schema";
import { sealWire, submitBatch } from "../ledger/service";
import type { SealedTransaction } from "@/contracts/ledger/schema";
import type { Actor } from "../actor";
import { assertAllowed, canManageUsers, canReadUsers } from "../authz";
import { badRequest, conflict, notFound } from "../errors";
import { newId, newToken } from "../ids";
import { hashPassword } from "../auth/password";
import type { MailSettings } from "../mail/mailer";
import { invitationEmail } from "../mail/texts";
import { writeNotifications, type NotificationDraft } from "./notifications";

const INVITE_VALID_MS = 7 * 24 * 60 * 60 * 1000;

export interface UserDto {
  id: string;
  orgId: string;
  email: string;
  name: string;
  permission: Permission;
  status: UserStatus;
  createdAt: Date;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A person as the people page lists him, with the active signing keys he holds (a disable revokes them). */
export interface ListedUserDto extends UserDto {
  activeKeyIds: string[];
}

export async function listUsers(db: DbOrTx, actor: Actor, orgId: string): Promise<ListedUserDto[]> {
  assertAllowed(canReadUsers(actor, orgId), "You can only see the people of your own organisation.");
  const rows = await db.select().from(users).where(eq(users.orgId, orgId)).orderBy(asc(users.createdAt), asc(users.email));
  const keys = await db
    .select({ keyId: signingKeys.keyId, holderUserId: signingKeys.holderUserId })
    .from(signingKeys)
    .where(and(eq(signingKeys.orgId, orgId), eq(signingKeys.status, "active")))
    .orderBy(asc(signingKeys.keyId));
  return rows.map((row) => ({ ...toDto(row), activeKeyIds: keys.filter((key) => key.holderUserId === row.id).map((key) => key.keyId) }));
}

/**
 * Creates an invited user and a one-time link, emailed to the person when the app sends email
 * (`emailed`); the inviter sees the link either way and may pass it on.
 */
export async function inviteUser(
  db: DbOrTx,
  actor: Actor,
  input: { orgId: string; email: string; name: string; permission: Permission },
  mail?: MailSettings,
): Promise<{ user: UserDto; inviteToken: string; emailed: boolean }> {
  assertAllowed(canManageUsers(actor, input.orgId), "Only your organisation's admins can invite people.");
  const email = input.email.trim().toLowerCase();
  const [org] = await db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(eq(organisations.id, input.orgId));
  if (!org) throw notFound("organisation_not_found", "No such organisation.");
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (existing) throw conflict("email_taken", "Somebody already uses this email address.");
  const token = newToken();
  const user = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(users)
      .values({ id: newId("usr"), orgId: input.orgId, email, name: input.name.trim(), permission: input.permission, status: "invited" })
      .returning();
    if (!row) throw new Error("insert returned no row");
    await tx.insert(invites).values({ tokenHash: hashToken(token), userId: row.id, expiresAt: new Date(Date.now() + INVITE_VALID_MS) });
    await writeNotifications(tx, [peopleNotice(actor, row, "userInvited", `user:${row.id}:invited`)], Date.now());
    return row;
  });
  const link = mail ? `${mail.baseUrl}/invite/${token}` : null;
  const emailed = mail && link ? (await mail.mailer.send({ to: email, ...invitationEmail({ name: user.name, orgName: org.name, link, validDays: INVITE_VALID_MS / 86_400_000 }) })) === "sent" : false;
  return { user: toDto(user), inviteToken: token, emailed };
}

export async function describeInvite(db: DbOrTx, token: string): Promise<{ email: string; name: string; orgName: string }> {
  const [row] = await db
    .select({ email: users.email, name: users.name, orgName: organisations.name })
    .from(invites)
    .innerJoin(users, eq(users.id, invites.userId))
    .innerJoin(organisations, eq(organisations.id, users.orgId))
    .where(and(eq(invites.tokenHash, hashToken(token)), isNull(invites.usedAt), gt(invites.expiresAt, sql`now()`)));
  if (!row) throw notFound("invite_invalid", "This invitation link is invalid, used or expired. Ask for a new one.");
  return row;
}

export async function acceptInvite(db: DbOrTx, input: { token: string; password: string }): Promise<{ email: string }> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [invite] = await tx
      .update(invites)
      .set({ usedAt: sql`now()` })
      .where(and(eq(invites.tokenHash, hashToken(input.token)), isNull(invites.usedAt), gt(invites.expiresAt, sql`now()`)))
      .returning();
    if (!invite) throw notFound("invite_invalid", "This invitation link is invalid, used or expired. Ask for a new one.");
    const [user] = await tx
      .update(users)
      .set({ passwordHash, status: "active" })
      .where(and(eq(users.id, invite.userId), eq(users.status, "invited")))
      .returning();
    if (!user) throw conflict("invite_invalid", "This invitation was already used.");
    await writeNotifications(tx, [peopleNotice(null, user, "userJoined", `user:${user.id}:joined`)], Date.now());
    return { email: user.email };
  });
}

/**
 * Changes a person's permission or status. Disabling a person who holds active signing keys
 * revokes them on the ledger in the same step: the admin's browser signs one key.revoke per
 * key (private keys never reach the server), and the disable and the revocations commit in
 * one database transaction, the ledger's block nested in it, so either both happen or
 * neither does. A disable without exactly those revocations is refused.
 */
export async function updateUser(
  db: Db,
  actor: Actor,
  input: { userId: string; permission?: Permission; status?: "active" | "disabled"; revocations?: readonly unknown[] },
): Promise<UserDto> {
  const [target] = await db.select().from(users).where(eq(users.id, input.userId));
  if (!target) throw notFound("user_not_found", "No such user.");
  assertAllowed(canManageUsers(actor, target.orgId), "Only your organisation's admins can change people's access.");
  if (input.status === "active" && !target.passwordHash) {
    throw badRequest("user_not_activated", "This person has not accepted the invitation yet.");
  }
  const losesAdmin = target.permission === "admin" && ((input.permission && input.permission !== "admin") || input.status === "disabled");
  if (losesAdmin) await assertAnotherAdmin(db, target.orgId, target.id);
  const disabling = input.status === "disabled" && target.status !== "disabled";
  if (disabling) await assertAnotherAdminKey(db, target);
  const revocations = disabling ? await revocationsFor(db, target, input.revocations ?? []) : [];
  if (input.status !== "disabled" && (input.revocations ?? []).length > 0) {
    throw badRequest("unexpected_revocations", "Key revocations are sent only when disabling a person.");
  }
  const row = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(users)
      .set({ ...(input.permission ? { permission: input.permission } : {}), ...(input.status ? { status: input.status } : {}) })
      .where(eq(users.id, input.userId))
      .returning();
    if (!updated) throw notFound("user_not_found", "No such user.");
    const change = newId("chg");
    const notices = [
      ...(input.permission && input.permission !== target.permission ? [peopleNotice(actor, updated, "userPermissionChanged", `user:${updated.id}:${change}:permission`)] : []),
      ...(input.status && input.status !== target.status ? [peopleNotice(actor, updated, input.status === "disabled" ? "userDisabled" : "userEnabled", `user:${updated.id}:${change}:status`)] : []),
    ];
    await writeNotifications(tx, notices, Date.now());
    // The revocations go to the ledger inside this transaction: a refusal undoes the disable too.
    const results = revocations.length > 0 ? await submitBatch(tx, revocations) : [];
    const refused = results.find((result) => result.status === "refused");
    if (refused?.status === "refused") throw conflict(refused.code, refused.code === "last_admin_key" ? lastAdminKeyText(target.name) : refused.text);
    return updated;
  });
  return toDto(row);
}

/** The person's active keys on the ledger (the keys he holds). */
export async function activeKeysHeldBy(db: DbOrTx, person: { id: string; orgId: string }): Promise<string[]> {
  const rows = await db
    .select({ keyId: signingKeys.keyId })
    .from(signingKeys)
    .where(and(eq(signingKeys.orgId, person.orgId), eq(signingKeys.holderUserId, person.id), eq(signingKeys.status, "active")))
    .orderBy(asc(signingKeys.keyId));
  return rows.map((row) => row.keyId);
}

/**
 * The revocations a disable must carry: exactly one key.revoke of each active key the person
 * holds, for his organisation. Whether each is signed by an admin key (and by as many admins as
 * the approval policy asks) is the ledger's to decide when they are submitted.
 */
async function revocationsFor(db: DbOrTx, target: typeof users.$inferSelect, wires: readonly unknown[]): Promise<SealedTransaction[]> {
  const held = await activeKeysHeldBy(db, target);
  const sealed = wires.map((wire) => {
    const result = sealWire(wire);
    if ("status" in result) throw badRequest(result.code, result.text);
    return result;
  });
  const revoked = sealed.map((signed) => {
    const { transaction } = signed;
    if (transaction.type !== "key.revoke" || transaction.body.orgId !== target.orgId) {
      throw badRequest("not_a_key_revocation", "Only key.revoke transactions of the person's organisation can be sent with a disable.");
    }
    return transaction.body.keyId;
  });
  const same = revoked.length === held.length && [...revoked].sort().every((keyId, index) => keyId === held[index]);
  if (!same) {
    throw conflict("key_revocations_required", `Disabling ${target.name} revokes the signing keys he holds (${held.join(", ") || "none"}): sign one revocation for each of them.`);
  }
  return sealed;
}

function lastAdminKeyText(name: string): string {
  return `${name} holds your organisation's last active admin key on the ledger: disabling him would revoke it, and nobody could confirm or revoke keys again. Have another admin register an admin key first.`;
}

/**
 * Disabling a person revokes his keys; the ledger refuses revoking an organisation's last
 * active admin key (last_admin_key). Said before anyone signs: if every active admin key of
 * the organisation is his, another admin must register one first.
 */
async function assertAnotherAdminKey(db: DbOrTx, target: typeof users.$inferSelect): Promise<void> {
  const adminKeys = await db
    .select({ holderUserId: signingKeys.holderUserId })
    .from(signingKeys)
    .where(and(eq(signingKeys.orgId, target.orgId), eq(signingKeys.role, "admin"), eq(signingKeys.status, "active")));
  const his = adminKeys.filter((key) => key.holderUserId === target.id).length;
  if (his > 0 && his === adminKeys.length) throw conflict("last_admin_key", lastAdminKeyText(target.name));
}

async function assertAnotherAdmin(db: DbOrTx, orgId: string, exceptUserId: string): Promise<void> {
  const [other] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.orgId, orgId), eq(users.permission, "admin"), eq(users.status, "active"), ne(users.id, exceptUserId)));
  if (!other) throw conflict("last_admin", "An organisation needs at least one active admin. Make someone else admin first.");
}

/** What the organisation's admins are told of a change to its people (not the admin who made it). */
function peopleNotice(actor: Actor | null, person: typeof users.$inferSelect, kind: "userInvited" | "userJoined" | "userPermissionChanged" | "userDisabled" | "userEnabled", dedupeKey: string): NotificationDraft {
  return {
    orgId: person.orgId,
    category: "organisation",
    kind,
    subject: "people",
    subjectId: null,
    params: { actor: actor?.name ?? "", name: person.name, email: person.email, permission: person.permission },
    dedupeKey,
    occurredAtMs: Date.now(),
    // Whoever made the change knows it; a person who just joined knows it too.
    exceptUserId: actor?.userId ?? person.id,
  };
}

function toDto(row: typeof users.$inferSelect): UserDto {
  return { id: row.id, orgId: row.orgId, email: row.email, name: row.name, permission: row.permission, status: row.status, createdAt: row.createdAt };
}
