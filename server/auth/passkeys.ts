import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { and, asc, desc, eq, gt, lt } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { passkeyCredentials, users, webauthnChallenges } from "@/db/schema";
import { COSE_ALGORITHM_ES256 } from "@/contracts/webauthn";
import type { Actor } from "../actor";
import { badRequest, DomainError, notFound } from "../errors";
import type { Limiter } from "./rate-limit";
import { relyingParty, type RelyingParty } from "../webauthn";

/*
 * Signing in with a passkey (WebAuthn), beside the password. The server hands out a random
 * challenge (@simplewebauthn/server), remembers it, and takes the authenticator's answer once:
 * the answer deletes the challenge's row, so it cannot be replayed, and a challenge expires
 * after CHALLENGE_TTL_MS. Only ES256 and user-verified ceremonies are accepted, as for the
 * ledger's passkey signing keys; one passkey can be both (the keys page registers it for
 * sign-in and, with its own assertion, as a ledger key).
 */

export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

function requireParty(): RelyingParty {
  const party = relyingParty();
  if (party === null) throw badRequest("passkeys_unavailable", "This deployment does not offer passkeys (its address is not a domain name).");
  return party;
}

/** The challenge inside a ceremony's clientDataJSON (base64url JSON), or null. */
function challengeOf(clientDataJSON: string): string | null {
  try {
    const parsed = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8")) as { challenge?: unknown };
    return typeof parsed.challenge === "string" ? parsed.challenge : null;
  } catch {
    return null;
  }
}

async function rememberChallenge(db: DbOrTx, challenge: string, purpose: "registration" | "authentication", userId: string | null, nowMs: number): Promise<void> {
  // Expired challenges are never answered; they go when new ones come.
  await db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAtMs, nowMs));
  await db.insert(webauthnChallenges).values({ challenge, purpose, userId, expiresAtMs: nowMs + CHALLENGE_TTL_MS });
}

/** Takes the challenge an answer names, once: true when it was handed out for this purpose (and user) and has not expired. */
async function takeChallenge(db: DbOrTx, challenge: string | null, purpose: "registration" | "authentication", userId: string | null, nowMs: number): Promise<boolean> {
  if (challenge === null) return false;
  const conditions = [eq(webauthnChallenges.challenge, challenge), eq(webauthnChallenges.purpose, purpose), gt(webauthnChallenges.expiresAtMs, nowMs)];
  if (userId !== null) conditions.push(eq(webauthnChallenges.userId, userId));
  const taken = await db.delete(webauthnChallenges).where(and(...conditions)).returning({ challenge: webauthnChallenges.challenge });
  return taken.length === 1;
}

/** Options for navigator.credentials.create: an ES256, user-verified, discoverable passkey for `actor`. */
export async function passkeyRegistrationOptions(db: DbOrTx, actor: Actor, nowMs: number): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const party = requireParty();
  const existing = await db.select({ id: passkeyCredentials.credentialId }).from(passkeyCredentials).where(eq(passkeyCredentials.userId, actor.userId));
  const options = await generateRegistrationOptions({
    rpName: "Double-chain",
    rpID: party.rpId,
    userName: actor.email,
    userDisplayName: actor.name,
    userID: new TextEncoder().encode(actor.userId),
    attestationType: "none",
    excludeCredentials: existing.map((row) => ({ id: row.id })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    supportedAlgorithmIDs: [COSE_ALGORITHM_ES256],
    timeout: CHALLENGE_TTL_MS,
  });
  await rememberChallenge(db, options.challenge, "registration", actor.userId, nowMs);
  return options;
}

/** Verifies a registration answer and keeps the passkey for `actor`'s sign-ins. */
export async function registerPasskey(db: DbOrTx, actor: Actor, response: RegistrationResponseJSON, nowMs: number): Promise<{ credentialId: string }> {
  const party = requireParty();
  const challenge = challengeOf(response.response.clientDataJSON);
  if (!(await takeChallenge(db, challenge, "registration", actor.userId, nowMs))) {
    throw badRequest("passkey_challenge_unknown", "This passkey answer is stale or was already used. Try again.");
  }
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge: challenge as string,
    expectedOrigin: party.origins,
    expectedRPID: party.rpId,
    requireUserVerification: true,
    supportedAlgorithmIDs: [COSE_ALGORITHM_ES256],
  }).catch(() => null);
  if (!verification?.verified) throw badRequest("passkey_not_verified", "The passkey's answer did not verify. Try again.");
  const { credential } = verification.registrationInfo;
  await db.insert(passkeyCredentials).values({
    credentialId: credential.id,
    userId: actor.userId,
    publicKey: Buffer.from(credential.publicKey).toString("base64url"),
    counter: credential.counter,
    transports: credential.transports ?? [],
    createdAtMs: nowMs,
  });
  return { credentialId: credential.id };
}

/**
 * Options for navigator.credentials.get at sign-in: any of the site's discoverable passkeys, user
 * verified. Counted against the client address's budget (`limiter`, PASSKEY_SIGN_IN_CHALLENGES)
 * before anything is written.
 */
export async function passkeySignInOptions(db: DbOrTx, limiter: Limiter, clientAddress: string, nowMs: number): Promise<PublicKeyCredentialRequestOptionsJSON> {
  if (!(await limiter.take(clientAddress))) {
    throw new DomainError("rate_limited", "passkey_sign_in_rate_limited", "Too many passkey sign-in attempts from this address; wait a minute and try again.");
  }
  const party = requireParty();
  const options = await generateAuthenticationOptions({ rpID: party.rpId, userVerification: "required", timeout: CHALLENGE_TTL_MS });
  await rememberChallenge(db, options.challenge, "authentication", null, nowMs);
  return options;
}

/**
 * Checks a sign-in answer: its challenge was handed out and is taken now, the passkey is
 * known, the assertion verifies (origin, rpId, user verified, signature, counter), and its
 * user is active. Returns the user, or null for any refusal.
 */
export async function authenticatePasskey(db: DbOrTx, response: AuthenticationResponseJSON, nowMs: number): Promise<{ userId: string; email: string } | null> {
  const party = relyingParty();
  if (party === null) return null;
  const challenge = challengeOf(response.response.clientDataJSON);
  if (!(await takeChallenge(db, challenge, "authentication", null, nowMs))) return null;
  const [row] = await db
    .select({ credential: passkeyCredentials, email: users.email, status: users.status })
    .from(passkeyCredentials)
    .innerJoin(users, eq(users.id, passkeyCredentials.userId))
    .where(eq(passkeyCredentials.credentialId, response.id));
  if (!row || row.status !== "active") return null;
  const verification = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge as string,
    expectedOrigin: party.origins,
    expectedRPID: party.rpId,
    requireUserVerification: true,
    credential: {
      id: row.credential.credentialId,
      publicKey: new Uint8Array(Buffer.from(row.credential.publicKey, "base64url")),
      counter: row.credential.counter,
      transports: row.credential.transports as AuthenticatorTransport[],
    },
  }).catch(() => null);
  if (!verification?.verified) return null;
  await db
    .update(passkeyCredentials)
    .set({ counter: verification.authenticationInfo.newCounter, lastUsedAtMs: nowMs })
    .where(eq(passkeyCredentials.credentialId, row.credential.credentialId));
  return { userId: row.credential.userId, email: row.email };
}

// ---------------------------------------------------------------------------------------
// The person's own sign-in passkeys, on the settings page: listed, renamed, removed.

export interface SignInPasskeyDto {
  credentialId: string;
  name: string | null;
  createdAtMs: number;
  lastUsedAtMs: number | null;
}

/** The signed-in person's sign-in passkeys, newest first. Only his own: the query is by his user id. */
export async function mySignInPasskeys(db: DbOrTx, actor: Actor): Promise<SignInPasskeyDto[]> {
  return db
    .select({ credentialId: passkeyCredentials.credentialId, name: passkeyCredentials.name, createdAtMs: passkeyCredentials.createdAtMs, lastUsedAtMs: passkeyCredentials.lastUsedAtMs })
    .from(passkeyCredentials)
    .where(eq(passkeyCredentials.userId, actor.userId))
    .orderBy(desc(passkeyCredentials.createdAtMs), asc(passkeyCredentials.credentialId));
}

/** Names one of the person's passkeys; another person's, or one that does not exist, is not found alike. */
export async function renameSignInPasskey(db: DbOrTx, actor: Actor, input: { credentialId: string; name: string }): Promise<SignInPasskeyDto> {
  const [row] = await db
    .update(passkeyCredentials)
    .set({ name: input.name })
    .where(and(eq(passkeyCredentials.credentialId, input.credentialId), eq(passkeyCredentials.userId, actor.userId)))
    .returning({ credentialId: passkeyCredentials.credentialId, name: passkeyCredentials.name, createdAtMs: passkeyCredentials.createdAtMs, lastUsedAtMs: passkeyCredentials.lastUsedAtMs });
  if (!row) throw notFound("passkey_not_found", "You have no such passkey.");
  return row;
}

/**
 * Removes one of the person's sign-in passkeys: it no longer signs him in. A passkey that is also
 * a ledger signing key stays on the ledger (revoking it is a signed key.revoke on the Keys page);
 * this only forgets it for signing in.
 */
export async function removeSignInPasskey(db: DbOrTx, actor: Actor, input: { credentialId: string }): Promise<{ removed: true }> {
  const [row] = await db
    .delete(passkeyCredentials)
    .where(and(eq(passkeyCredentials.credentialId, input.credentialId), eq(passkeyCredentials.userId, actor.userId)))
    .returning({ credentialId: passkeyCredentials.credentialId });
  if (!row) throw notFound("passkey_not_found", "You have no such passkey.");
  return { removed: true };
}
