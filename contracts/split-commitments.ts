/**
 * Commitments to the parts of a split (issue 13, privacy in bundles).
 *
 * A split names who receives each part and how much. A provenance bundle for one piece must
 * show the branch that leads to it and nothing else, yet its verifier must still check
 * conservation (the parts add up to the piece that was split) and every signature. So a split
 * part may be written in committed form: beside `toOrgId` and `amountMinor` it carries a
 * random `saltHex` and a blinding scalar `blindingHex`, and what is signed and logged is not
 * the part but its two commitments:
 *
 *  - holderCommitmentHex = SHA-256(RFC 8785 of {domain, saltHex, toOrgId}): hides the receiver
 *    behind 32 random bytes, so trying every organisation id does not find it;
 *  - amountCommitmentHex = amount·G + blinding·H on ristretto255 (a Pedersen commitment, RFC
 *    9496 group; H is hashed to the curve from a fixed string, so nobody knows its discrete
 *    log relative to G). It hides the amount perfectly, however small the space of amounts
 *    (a plain hash of an amount can be guessed), and it adds up: the sum of the parts'
 *    commitments is (sum of amounts)·G + (sum of blindings)·H.
 *
 * The signer chooses the blindings so that they cancel (sum ≡ 0 mod the group order), so the
 * parts' commitments add up to exactly outstanding·G of the piece that was split. A verifier
 * that holds only the branch's part in the clear and the other parts as commitments checks
 * that sum, and learns the total of the hidden parts (which conservation gives away anyway)
 * but neither their individual amounts nor their receivers.
 *
 * What the commitments do not prove: that each hidden amount is positive (that would need a
 * range proof). The contract checks it in the clear wherever the parts are disclosed (the
 * server, every witness replaying the full log), and a checkpoint cosigned by a quorum of
 * witnesses vouches for it; a bundle verifier relies on that, and on the sum, not on the
 * hidden values.
 *
 * Transaction ids and log leaves are computed over the committed form (`committedTransaction`),
 * so a part can be replaced by its commitments (`redactPart`) without changing the id, the
 * signature or the leaf hash. Splits written in the plain form ({toOrgId, amountMinor}, the
 * format before this file) hash as before and cannot be redacted.
 *
 * Pure: the salts and blindings come from the signer's client (`commitSplitParts` takes the
 * random bytes as an argument).
 */
import { ristretto255, ristretto255_hasher } from "@noble/curves/ed25519.js";
import { canonicalBytes, isSealed, seal, sha256Bytes } from "./canonical";
import { bytesToHex, isLowerHex, tryHexToBytes, utf8ToBytes } from "./hex";
import { committedTermsBody, isTermsType } from "./terms-commitments";

type Point = InstanceType<typeof ristretto255.Point>;

/** A part in the clear, in the form before commitments: hashed and logged as it is. */
export interface PlainSplitPart {
  toOrgId: string;
  amountMinor: bigint;
}

/** A part in the clear with the openings of its commitments. */
export interface CommittedSplitPart {
  toOrgId: string;
  amountMinor: bigint;
  /** 32 random bytes, lowercase hex: hides the receiver. */
  saltHex: string;
  /** A ristretto255 scalar below the group order, 32 bytes little-endian, lowercase hex. */
  blindingHex: string;
}

/** A part as a bundle shows it when it is not on the branch: its commitments only. */
export interface RedactedSplitPart {
  holderCommitmentHex: string;
  amountCommitmentHex: string;
}

export type AnySplitPart = PlainSplitPart | CommittedSplitPart | RedactedSplitPart;

const HOLDER_DOMAIN = "double-chain/split-part-holder/v1";
const PEDERSEN_H_INPUT = "double-chain/split-part-amount/v1";
const PEDERSEN_H_DST = "double-chain-pedersen-h-ristretto255";

/** The order of the ristretto255 group. */
export const GROUP_ORDER = ristretto255.Point.Fn.ORDER;

let pedersenH: Point | null = null;

/** The second generator, hashed to the curve (RFC 9380) from a fixed string; nobody knows log_G(H). */
function generatorH(): Point {
  if (pedersenH === null) {
    pedersenH = ristretto255_hasher.hashToCurve(utf8ToBytes(PEDERSEN_H_INPUT), { DST: PEDERSEN_H_DST }) as Point;
    pedersenH.precompute(8);
  }
  return pedersenH;
}

export function isRedactedPart(part: AnySplitPart): part is RedactedSplitPart {
  return "holderCommitmentHex" in part;
}

export function isCommittedPart(part: AnySplitPart): part is CommittedSplitPart {
  return "saltHex" in part;
}

/** A 32-byte little-endian scalar below the group order, or null. */
export function scalarOf(hex: string): bigint | null {
  const bytes = tryHexToBytes(hex, 32);
  if (bytes === null) return null;
  let value = 0n;
  for (let i = 31; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  return value < GROUP_ORDER ? value : null;
}

export function scalarToHex(value: bigint): string {
  const bytes = new Uint8Array(32);
  let rest = ((value % GROUP_ORDER) + GROUP_ORDER) % GROUP_ORDER;
  for (let i = 0; i < 32; i++) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytesToHex(bytes);
}

/** amount·G + blinding·H. The amount must be positive and the blinding a valid scalar (the contract checks both first). */
function pedersen(amountMinor: bigint, blinding: bigint): Point {
  const amountPoint = ristretto255.Point.BASE.multiply(amountMinor % GROUP_ORDER);
  return blinding === 0n ? amountPoint : amountPoint.add(generatorH().multiply(blinding));
}

export function holderCommitmentHex(saltHex: string, toOrgId: string): string {
  return bytesToHex(sha256Bytes(canonicalBytes({ domain: HOLDER_DOMAIN, saltHex, toOrgId })));
}

export function amountCommitmentHex(amountMinor: bigint, blindingHex: string): string {
  const blinding = scalarOf(blindingHex);
  if (blinding === null) throw new Error("blinding is not a scalar below the group order");
  return bytesToHex(pedersen(amountMinor, blinding).toBytes());
}

/**
 * Amount commitments of frozen (decoded) parts in the clear, by the part object. A verifier needs
 * one part's commitment up to three times (the transaction's id, its log leaf, the contract's
 * conservation check), and each costs two scalar multiplications; a frozen part cannot change,
 * so its commitment is computed once. Unfrozen parts are computed afresh every time.
 */
const partCommitments = new WeakMap<object, { point: Point; hex: string }>();

function partCommitment(part: CommittedSplitPart, blinding: bigint): { point: Point; hex: string } {
  const frozen = Object.isFrozen(part);
  const known = frozen ? partCommitments.get(part) : undefined;
  if (known !== undefined) return known;
  // The wire form carries the amount as a decimal string, the decoded form as a bigint.
  const point = pedersen(BigInt(part.amountMinor), blinding);
  const commitment = { point, hex: bytesToHex(point.toBytes()) };
  if (frozen) partCommitments.set(part, commitment);
  return commitment;
}

/** The commitments of a part in the clear (a redacted part is its own commitments). */
export function redactPart(part: CommittedSplitPart | RedactedSplitPart): RedactedSplitPart {
  if (isRedactedPart(part)) return { holderCommitmentHex: part.holderCommitmentHex, amountCommitmentHex: part.amountCommitmentHex };
  const blinding = scalarOf(part.blindingHex);
  if (blinding === null) throw new Error("blinding is not a scalar below the group order");
  return { holderCommitmentHex: holderCommitmentHex(part.saltHex, part.toOrgId), amountCommitmentHex: partCommitment(part, blinding).hex };
}

/** Why a set of committed parts is not well-formed, or null; checked by the contract before anything else about them. */
export function commitmentProblem(parts: readonly AnySplitPart[]): string | null {
  const committed = parts.filter((part) => !("toOrgId" in part) || isCommittedPart(part)).length;
  if (committed !== 0 && committed !== parts.length) return "either every part carries commitments or none does";
  for (const [index, part] of parts.entries()) {
    if (isCommittedPart(part)) {
      if (!isLowerHex(part.saltHex, 32)) return `part ${index}: the salt is not 32 bytes of lowercase hex`;
      if (scalarOf(part.blindingHex) === null) return `part ${index}: the blinding is not a scalar below the group order`;
    } else if (isRedactedPart(part)) {
      if (!isLowerHex(part.holderCommitmentHex, 32)) return `part ${index}: the holder commitment is not 32 bytes of lowercase hex`;
      if (decodePoint(part.amountCommitmentHex) === null) return `part ${index}: the amount commitment is not a ristretto255 point`;
    }
  }
  return null;
}

/** True when every part is in the clear with openings and the blindings cancel (sum ≡ 0 mod the group order). */
export function blindingsCancel(parts: readonly CommittedSplitPart[]): boolean {
  const sum = parts.reduce((total, part) => total + (scalarOf(part.blindingHex) ?? 1n), 0n);
  return sum % GROUP_ORDER === 0n;
}

function decodePoint(hex: string): Point | null {
  if (!isLowerHex(hex, 32)) return null;
  try {
    return ristretto255.Point.fromHex(hex);
  } catch {
    return null;
  }
}

/**
 * Conservation on commitments: the parts' amount commitments (computed from the openings of
 * the parts in the clear, taken as given for redacted ones) add up to totalMinor·G. Holds
 * exactly when the amounts add up to totalMinor and the blindings cancel, unless someone
 * knows log_G(H).
 */
export function commitmentsSumTo(parts: readonly (CommittedSplitPart | RedactedSplitPart)[], totalMinor: bigint): boolean {
  let sum = ristretto255.Point.ZERO;
  for (const part of parts) {
    const point = isRedactedPart(part) ? decodePoint(part.amountCommitmentHex) : clearCommitment(part);
    if (point === null) return false;
    sum = sum.add(point);
  }
  return sum.equals(ristretto255.Point.BASE.multiply(totalMinor % GROUP_ORDER));
}

function clearCommitment(part: CommittedSplitPart): Point {
  const blinding = scalarOf(part.blindingHex);
  return blinding === null ? pedersen(part.amountMinor, 0n) : partCommitment(part, blinding).point;
}

/** Committed forms of sealed (decoded) transactions: the id and the log leaf of one entry share it. */
const committedForms = new WeakMap<object, object>();

/**
 * The form that is hashed and signed: a split whose parts carry commitments has each part
 * replaced by its commitments, a credit-line or financing entry with a terms salt its terms by
 * their commitment (terms-commitments.ts); every other transaction is returned as it is.
 */
export function committedTransaction<T extends { type: string; body: unknown }>(transaction: T): T {
  // Only a sealed (deep-frozen) transaction is remembered: nothing in it can change afterwards.
  if (!isSealed(transaction)) return committedForm(transaction);
  const known = committedForms.get(transaction);
  if (known !== undefined) return known as T;
  // Sealed too, so the id's and the leaf's canonical texts are built once.
  const committed = seal(committedForm(transaction));
  committedForms.set(transaction, committed);
  return committed;
}

function committedForm<T extends { type: string; body: unknown }>(transaction: T): T {
  if (isTermsType(transaction.type)) {
    // A credit line's or a financing's terms (terms-commitments.ts) work the same way.
    const body = transaction.body as Record<string, unknown>;
    const committed = typeof body === "object" && body !== null ? committedTermsBody(transaction.type, body) : body;
    return committed === body ? transaction : { ...transaction, body: committed };
  }
  if (transaction.type !== "claim.split") return transaction;
  const body = transaction.body as { parts?: unknown };
  if (!Array.isArray(body.parts)) return transaction;
  const parts = body.parts as AnySplitPart[];
  if (!parts.some((part) => isCommittedPart(part) || isRedactedPart(part))) return transaction;
  // Parts that are neither (a malformed mix) are left in the clear; the contract refuses the mix.
  const committed = parts.map((part) => (isCommittedPart(part) && commitmentProblem([part]) === null && isAmount(part.amountMinor) ? redactPart(part) : part));
  return { ...transaction, body: { ...body, parts: committed } };
}

/**
 * Commitments for parts a client is about to sign: a fresh salt and blinding per part, the last
 * blinding chosen so that they all cancel. `randomBytes(n)` must be a CSPRNG (WebCrypto's
 * getRandomValues in the browser, node:crypto on the server).
 */
export function commitSplitParts(parts: readonly PlainSplitPart[], randomBytes: (length: number) => Uint8Array): CommittedSplitPart[] {
  let sum = 0n;
  return parts.map((part, index) => {
    const last = index === parts.length - 1;
    const blinding = last ? (GROUP_ORDER - (sum % GROUP_ORDER)) % GROUP_ORDER : randomScalar(randomBytes);
    sum += blinding;
    return { toOrgId: part.toOrgId, amountMinor: part.amountMinor, saltHex: bytesToHex(randomBytes(32)), blindingHex: scalarToHex(blinding) };
  });
}

/** A positive amount, as a bigint or a decimal string (the wire form); anything else stays in the clear for the schema to refuse. */
function isAmount(value: unknown): boolean {
  return (typeof value === "bigint" && value > 0n) || (typeof value === "string" && /^[1-9][0-9]{0,30}$/.test(value));
}

function randomScalar(randomBytes: (length: number) => Uint8Array): bigint {
  // 64 bytes reduced modulo the order: bias below 2^-250.
  const bytes = randomBytes(64);
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value % GROUP_ORDER;
}
