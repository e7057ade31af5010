/**
 * Provenance of one claim: the part of the log that explains where it came from, with the
 * proofs that this part really is in the log the operator signed. A lender's browser checks
 * a bundle without trusting the platform: the checkpoint's signature, every entry's
 * inclusion in that checkpoint's tree, and a replay of the entries through the contracts,
 * which re-checks every transaction signature against keys registered in the same replay.
 *
 * What a bundle contains (selectProvenanceEntries; the server builds the same set):
 *  - the genesis entry (the operator's key, which co-signs every other registration);
 *  - every entry that touched the claim or one of its ancestors (issue, accept, split,
 *    pledge, release, financing), EXCEPT repayment.record and claim.markOverdue;
 *  - the credit-line entries (grant/adjust/freeze/expire) of the root's line that came
 *    before the root's issuance: they decide whether the issuance was allowed;
 *  - the financingPolicy.set entry of every policy an included application was priced by;
 *  - in every entry signed with a terms salt (terms-commitments.ts: a line's grant or adjustment,
 *    a policy, an application under it, an offer, a decline, a disbursement), the terms only as
 *    their commitment, unless the bundle is for a party: the line's or the policy's lender, the
 *    financing's lender or its applicant (docs/ledger.md "Privacy in bundles");
 *  - the key.register / key.rotate entries introducing every key that signed or co-signed
 *    an included entry, and the first registration of every organisation an included entry
 *    signs for or names (a split's receivers, a pledge's or financing's lender), since the
 *    contracts look those organisations up. This is applied transitively.
 *
 * Why repayments and overdue marks are left out: they allocate over every live piece of the
 * issuance, siblings included, which a replay of one lineage does not hold, so replaying
 * them would compute different allocations. The price: a claim settled or marked overdue
 * shows its state before that, and a lineage that continued after a partial early repayment
 * (which lowers the outstanding of the pieces) does not replay (split_amounts_do_not_sum).
 *
 * Why a partial replay is still sound: leaving out entries only removes usage, nonces and
 * revocations. The credit line sees none of the other issuances on it, so it has at least
 * as much room as it had in the full log; no nonce is spent that was not spent there; no
 * key is revoked that was active there. Each of those can only make a check pass that also
 * passed in the full log, never the other way round. Credit-line changes after the root's
 * issuance are left out for the same reason: without the repayments the replayed usage of
 * the line could exceed the real one, and a later limit adjustment would then be refused.
 *
 * What a bundle cannot prove is completeness: inclusion proofs show that every entry shown
 * is in the log, not that no later entry about the claim was left out. The checkpoint's
 * timestamp says how recent the view is.
 */
import { z } from "zod";
import { canonicalBytes, canonicalJson, deriveId, sha256Bytes } from "./canonical";
import { NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey, parseNote, signaturesByKey, verifyNoteSignature, type NoteVerifierKey } from "./note";
import { claimStateKey, orgStateKey, type ClaimStateLeaf, type OrgStateLeaf } from "./state-leaves";
import { verifyStateMapProof, type StateMapProof } from "./state-map";
import { checkpointStateRoot, parseCheckpointBody, verifyCheckpointNote, type TrustPolicy } from "./tlog-checkpoint";
import { verifyCheckpoint, type SignedCheckpoint } from "./checkpoint";
import { describeZodError, logEntryWireSchema, signedCheckpointSchema } from "./export";
import { bytesToHex, tryHexToBytes } from "./hex";
import { entryWithDecoded, logEntryLeafHash, type LogEntry } from "./log";
import { verifyInclusion } from "./merkle";
import { nobleVerifier, runWithBatchVerifier, type BatchSignatureVerifier, type SignatureVerifier } from "./signing";
import { transactionId } from "./transaction";
import { isCommittedPart, redactPart } from "./split-commitments";
import { isTermsType, redactTerms } from "./terms-commitments";
import { applyTransaction, InvariantViolation } from "./ledger/apply";
import { claimIdSchema, decodeSignedTransaction, sha256HexSchema } from "./ledger/schema";
import { introducedKey, kindOf, orgsNamed } from "./ledger/kinds";
import { MemoryState } from "./ledger/state";
import type { Claim, SignedLedgerTransaction, StateChange, TransactionType } from "./ledger/types";

export interface InclusionProofHex {
  leafIndex: number;
  /** RFC 9162 audit path, leaf level first, lowercase hex. */
  proofHex: string[];
}

export interface ProvenanceBundle {
  claimId: string;
  /** Ascending leafIndex, wire form (amounts as decimal strings). */
  entries: LogEntry[];
  /** One per entry, in the same order, against `checkpoint`. */
  inclusionProofs: InclusionProofHex[];
  checkpoint: SignedCheckpoint;
  /** Issue 13: the claim's and the signers' current state, proved under the checkpoint's state root. */
  state?: BundleState;
}

/** A claim's state leaf in wire form: the amounts as decimal strings (they hash the same, see canonical.ts). */
export type WireClaimStateLeaf = Omit<ClaimStateLeaf, "amountMinor" | "outstandingMinor"> & { amountMinor: string; outstandingMinor: string };

/**
 * The state section of a bundle (format 1, issue 13). `checkpointNote` is the C2SP note of the
 * same checkpoint as `checkpoint` (same size and root) with the cosignature lines the server
 * holds; its state-root extension is the root every proof here is checked against. `claim` is
 * the claim's current leaf and its map proof; `signers` holds, for every organisation that
 * signed an entry of the bundle, its leaf (role, active keys) and proof, ordered by orgId.
 */
export interface BundleState {
  checkpointNote: string;
  claim: { leaf: WireClaimStateLeaf; proof: StateMapProof };
  signers: { leaf: OrgStateLeaf; proof: StateMapProof }[];
}

/** What the state section proves, returned by verifyProvenance when the bundle has one. */
export interface VerifiedState {
  /** The claim's current state at the checkpoint: holder, state, outstanding, pledge, financing, financed-once, maturity. */
  claim: ClaimStateLeaf;
  /** Every signing organisation's role and active keys at the checkpoint. */
  signers: OrgStateLeaf[];
  checkpoint: { origin: string; size: number; rootHashHex: string; stateRootHex: string; noteText: string; cosigners: { name: string; timestampSeconds: number }[] };
}

export interface VerifyProvenanceOptions {
  /**
   * The trust policy the verifier pinned itself (operator keys, witness keys, quorum): the
   * bundle's note must verify under it with a quorum of cosignatures. Without one, the note's
   * signature by `operatorPublicKey` is checked and the cosignatures are not counted.
   */
  policy?: TrustPolicy;
  /** Refuse a bundle without a state section (state_proof_missing); implied by `policy`. */
  requireState?: boolean;
}

export interface LineageStep {
  leafIndex: number;
  txId: string;
  type: TransactionType;
  signerOrgId: string;
  signerOrgName: string;
  /** The claim of the lineage this step is about (the deepest one it touched). */
  claimId: string;
  amountMinor: bigint;
  acceptedAtMs: number;
}

/** Failure codes, in the order the checks run. */
export type ProvenanceCode =
  | "bundle_malformed"
  | "checkpoint_invalid"
  | "entries_not_ascending"
  | "entry_beyond_checkpoint"
  | "inclusion_proof_missing"
  | "inclusion_proof_invalid"
  | "genesis_missing"
  | "genesis_key_mismatch"
  | "accepted_at_decreased"
  | "contract_refused"
  | "invariant_violated"
  | "claim_not_in_bundle"
  | "lineage_broken"
  | "state_proof_missing"
  | "checkpoint_note_invalid"
  | "state_proof_invalid"
  | "state_leaf_mismatch";

export type ProvenanceResult =
  | {
      ok: true;
      claim: Claim;
      lineage: LineageStep[];
      checked: { signatures: number; inclusionProofs: number; transactionsReplayed: number; checkpointSize: number };
      /** Present when the bundle had a state section and it verified. */
      state?: VerifiedState;
    }
  | { ok: false; code: ProvenanceCode; detail: string; leafIndex?: number };

type Failed = Extract<ProvenanceResult, { ok: false }>;

const stateMapProofSchema = z
  .object({
    depth: z.int().min(0).max(256),
    bitmapHex: z.string().max(64),
    siblingsHex: z.array(z.string()).max(256),
    terminal: z.union([z.object({ kind: z.literal("empty") }).strict(), z.object({ kind: z.literal("leaf"), keyHashHex: z.string(), valueHashHex: z.string() }).strict()]),
  })
  .strict();

export const provenanceBundleSchema = z
  .object({
    claimId: claimIdSchema,
    entries: z.array(logEntryWireSchema).min(1),
    inclusionProofs: z.array(z.object({ leafIndex: z.int().min(0), proofHex: z.array(sha256HexSchema).max(64) }).strict()),
    checkpoint: signedCheckpointSchema,
    state: z
      .object({
        checkpointNote: z.string().max(65536),
        claim: z.object({ leaf: z.record(z.string(), z.unknown()), proof: stateMapProofSchema }).strict(),
        signers: z.array(z.object({ leaf: z.record(z.string(), z.unknown()), proof: stateMapProofSchema }).strict()).max(1000),
      })
      .strict()
      .optional(),
  })
  .strict();

export function verifyProvenance(
  bundle: ProvenanceBundle,
  operatorPublicKey: Uint8Array,
  verifier: SignatureVerifier = nobleVerifier,
  options: VerifyProvenanceOptions = {},
): ProvenanceResult {
  const parsed = provenanceBundleSchema.safeParse(bundle);
  if (!parsed.success) return failed("bundle_malformed", describeZodError(parsed.error));
  if (bundle.state === undefined && (options.requireState || options.policy !== undefined)) {
    return failed("state_proof_missing", "the bundle carries no state proofs, so it cannot show that nothing about the claim was left out");
  }
  // Each entry is decoded (and sealed) once: its leaf hash, id and replay share the decoded form.
  const decoded = bundle.entries.map(decodedEntry);
  const failure =
    checkCheckpointSignature(bundle, operatorPublicKey, verifier) ??
    checkOrder(bundle) ??
    checkInclusion(bundle, decoded) ??
    checkGenesis(decoded[0] as BundleEntry, bytesToHex(operatorPublicKey));
  if (failure !== null) return failure;
  const note = bundle.state === undefined ? null : checkBundleNote(bundle, bundle.state, operatorPublicKey, verifier, options.policy);
  if (note !== null && "code" in note) return note;
  const replay = replayBundle(decoded, verifier);
  if ("code" in replay) return replay;
  const result = lineageOf(bundle, replay);
  if (!result.ok || note === null || bundle.state === undefined) return result;
  const state = checkBundleState(bundle, bundle.state, note, replay.state);
  return "code" in state ? state : { ...result, state };
}

/**
 * verifyProvenance with the signatures checked together by a batch verifier (the browser's
 * WebCrypto Ed25519), through runWithBatchVerifier: the same answer, sooner.
 */
export function verifyProvenanceBatched(
  bundle: ProvenanceBundle,
  operatorPublicKey: Uint8Array,
  batch: BatchSignatureVerifier,
  options: VerifyProvenanceOptions = {},
): Promise<ProvenanceResult> {
  return runWithBatchVerifier((verifier) => verifyProvenance(bundle, operatorPublicKey, verifier, options), batch);
}

type VerifiedNote = VerifiedState["checkpoint"] & { stateRoot: Uint8Array };

/** The note: the same checkpoint as the bundle's, signed by the operator (and, under a policy, cosigned by a quorum). */
function checkBundleNote(bundle: ProvenanceBundle, state: BundleState, operatorPublicKey: Uint8Array, verifier: SignatureVerifier, policy: TrustPolicy | undefined): VerifiedNote | Failed {
  const parsed = parseNote(state.checkpointNote);
  if (!parsed.ok) return failed("checkpoint_note_invalid", `note_malformed: ${parsed.detail}`);
  const body = parseCheckpointBody(parsed.note.text);
  if (!body.ok) return failed("checkpoint_note_invalid", `checkpoint_malformed: ${body.detail}`);
  const origin = body.checkpoint.origin;
  const pinned: TrustPolicy = policy ?? { origin, logKeys: [noteVerifierKey(origin, NOTE_SIGNATURE_TYPE_ED25519, operatorPublicKey)], witnesses: [], quorum: 0 };
  let cosigners: VerifiedState["checkpoint"]["cosigners"] = [];
  let stateRoot: Uint8Array | null;
  if (policy !== undefined) {
    const check = verifyCheckpointNote(state.checkpointNote, policy, verifier);
    if (!check.ok) return failed("checkpoint_note_invalid", `${check.code}: ${check.detail}`);
    cosigners = check.verified.cosigners;
    stateRoot = check.verified.stateRoot;
  } else {
    const [key] = pinned.logKeys as [NoteVerifierKey];
    const signatures = signaturesByKey(parsed.note, key);
    if (signatures.length === 0) return failed("checkpoint_note_invalid", "log_signature_missing: the note is not signed by the operator key");
    for (const signature of signatures) {
      const check = verifyNoteSignature(parsed.note.text, signature, key, verifier);
      if (!check.ok) return failed("checkpoint_note_invalid", `log_signature_invalid: ${check.detail}`);
    }
    stateRoot = checkpointStateRoot(body.checkpoint);
    if (stateRoot === null) return failed("checkpoint_note_invalid", "state_root_missing: the note carries no state root");
  }
  const rootHashHex = bytesToHex(body.checkpoint.rootHash);
  const { size, rootHash } = bundle.checkpoint.checkpoint;
  if (body.checkpoint.size !== size || rootHashHex !== rootHash) {
    return failed("checkpoint_note_invalid", `the note is for size ${body.checkpoint.size} and root ${rootHashHex}, the bundle's checkpoint for size ${size} and root ${rootHash}`);
  }
  return { origin, size, rootHashHex, stateRootHex: bytesToHex(stateRoot), stateRoot, noteText: parsed.note.text, cosigners };
}

/**
 * The claim's leaf and each signer's leaf are in the map under the note's state root, and the
 * replayed lineage agrees with the claim's leaf on everything the bundle's entries decide (who
 * holds it, pledge, financing, financed-once, amount, maturity). Repayments and overdue marks
 * are not in bundles (see the top), so its state and outstanding come from the leaf alone. A
 * bundle that leaves out an entry about the claim (another lender's financing) replays to a
 * state the proved leaf contradicts: state_leaf_mismatch.
 */
function checkBundleState(bundle: ProvenanceBundle, state: BundleState, note: VerifiedNote, replayed: MemoryState): VerifiedState | Failed {
  const wire = state.claim.leaf;
  const leaf = decodeClaimLeaf(wire);
  if (leaf === null || leaf.claimId !== bundle.claimId) return failed("state_proof_invalid", `the claim leaf is malformed or not for claim ${bundle.claimId}`);
  const claimCheck = verifyStateMapProof(note.stateRoot, claimStateKey(bundle.claimId), sha256Bytes(canonicalBytes(wire)), state.claim.proof);
  if (!claimCheck.ok) return failed("state_proof_invalid", `claim ${bundle.claimId}: ${claimCheck.code}: ${claimCheck.detail}`);
  const claim = replayed.getClaim(bundle.claimId) as Claim; // lineageOf found it
  const pledge = replayed.getActivePledge(bundle.claimId);
  const expected: Record<string, unknown> = {
    rootId: claim.rootId,
    issuerOrgId: claim.issuerOrgId,
    holderOrgId: claim.holderOrgId,
    amountMinor: claim.amountMinor,
    currency: claim.currency,
    maturityDate: claim.maturityDate,
    activePledge: pledge === undefined ? null : { pledgeId: pledge.id, lenderOrgId: pledge.lenderOrgId },
    activeFinancingId: claim.activeFinancingId,
    financedOnce: claim.financedOnce,
  };
  for (const [field, value] of Object.entries(expected)) {
    const proved = (leaf as unknown as Record<string, unknown>)[field];
    if (canonicalJson({ v: proved }) !== canonicalJson({ v: value })) {
      return failed(
        "state_leaf_mismatch",
        `the checkpoint's state says ${field} = ${canonicalJson({ v: proved }).slice(5, -1)}, the bundle's entries give ${canonicalJson({ v: value }).slice(5, -1)}: an entry about the claim was left out of the bundle`,
      );
    }
  }
  const signerIds = [...new Set(bundle.entries.map((entry) => (entry.signed as { transaction: { signer: { orgId: string } } }).transaction.signer.orgId))].sort();
  const signers: OrgStateLeaf[] = [];
  for (const orgId of signerIds) {
    const item = state.signers.find((candidate) => candidate.leaf.orgId === orgId);
    if (item === undefined) return failed("state_proof_invalid", `no state proof for signer ${orgId}`);
    const orgCheck = verifyStateMapProof(note.stateRoot, orgStateKey(orgId), sha256Bytes(canonicalBytes(item.leaf)), item.proof);
    if (!orgCheck.ok) return failed("state_proof_invalid", `organisation ${orgId}: ${orgCheck.code}: ${orgCheck.detail}`);
    signers.push(item.leaf);
  }
  const { origin, size, rootHashHex, stateRootHex, noteText, cosigners } = note;
  return { claim: leaf, signers, checkpoint: { origin, size, rootHashHex, stateRootHex, noteText, cosigners } };
}

function decodeClaimLeaf(wire: WireClaimStateLeaf | Record<string, unknown>): ClaimStateLeaf | null {
  const leaf = wire as WireClaimStateLeaf;
  if (leaf.kind !== "claim" || typeof leaf.claimId !== "string" || !/^(0|[1-9][0-9]*)$/.test(String(leaf.amountMinor)) || !/^-?(0|[1-9][0-9]*)$/.test(String(leaf.outstandingMinor))) return null;
  return { ...leaf, amountMinor: BigInt(leaf.amountMinor), outstandingMinor: BigInt(leaf.outstandingMinor) };
}

/** A claim leaf in wire form, for bundles. */
export function toWireClaimStateLeaf(leaf: ClaimStateLeaf): WireClaimStateLeaf {
  return { ...leaf, amountMinor: leaf.amountMinor.toString(), outstandingMinor: leaf.outstandingMinor.toString() };
}

function failed(code: ProvenanceCode, detail: string, leafIndex?: number): Failed {
  return leafIndex === undefined ? { ok: false, code, detail } : { ok: false, code, detail, leafIndex };
}

function checkCheckpointSignature(bundle: ProvenanceBundle, operatorPublicKey: Uint8Array, verifier: SignatureVerifier): Failed | null {
  const check = verifyCheckpoint(bundle.checkpoint, operatorPublicKey, verifier);
  return check.ok ? null : failed("checkpoint_invalid", `${check.code}: ${check.detail}`);
}

function checkOrder(bundle: ProvenanceBundle): Failed | null {
  const size = bundle.checkpoint.checkpoint.size;
  let previous = -1;
  for (const { leafIndex } of bundle.entries) {
    if (leafIndex <= previous) return failed("entries_not_ascending", `leaf ${leafIndex} follows leaf ${previous}`, leafIndex);
    if (leafIndex >= size) return failed("entry_beyond_checkpoint", `leaf ${leafIndex} is not in a checkpoint of size ${size}`, leafIndex);
    previous = leafIndex;
  }
  return null;
}

/** A bundle entry and its decoded transaction. */
interface BundleEntry {
  entry: LogEntry;
  signed: SignedLedgerTransaction;
}

/** The bundle schema already decoded every entry, so this cannot fail. */
function decodedEntry(entry: LogEntry): BundleEntry {
  return { entry, signed: (decodeSignedTransaction(entry.signed) as { ok: true; value: SignedLedgerTransaction }).value };
}

function checkInclusion(bundle: ProvenanceBundle, decoded: readonly BundleEntry[]): Failed | null {
  const { size, rootHash } = bundle.checkpoint.checkpoint;
  const root = tryHexToBytes(rootHash, 32) as Uint8Array; // the checkpoint verified, so its root is well-formed
  for (const [i, { entry, signed }] of decoded.entries()) {
    const proof = bundle.inclusionProofs[i];
    if (proof === undefined || proof.leafIndex !== entry.leafIndex) {
      return failed("inclusion_proof_missing", `no inclusion proof for leaf ${entry.leafIndex} at position ${i}`, entry.leafIndex);
    }
    const path = proof.proofHex.map((hashHex) => tryHexToBytes(hashHex, 32) as Uint8Array);
    // The decoded form has the same canonical bytes (entryWithDecoded), and the id reuses its work.
    const check = verifyInclusion(logEntryLeafHash(entryWithDecoded(entry, signed)), entry.leafIndex, size, path, root);
    if (!check.ok) return failed("inclusion_proof_invalid", `${check.code}: ${check.detail}`, entry.leafIndex);
  }
  if (bundle.inclusionProofs.length !== bundle.entries.length) {
    return failed("inclusion_proof_missing", `${bundle.inclusionProofs.length} proofs for ${bundle.entries.length} entries`);
  }
  return null;
}

function checkGenesis({ entry: first, signed }: BundleEntry, operatorPublicKeyHex: string): Failed | null {
  if (first.leafIndex !== 0) return failed("genesis_missing", `the bundle starts at leaf ${first.leafIndex}, not at the genesis`, first.leafIndex);
  const transaction = signed.transaction;
  const isOperatorRegistration =
    transaction.type === "key.register" && transaction.body.role === "operator" && transaction.body.publicKeyHex === operatorPublicKeyHex;
  return isOperatorRegistration ? null : failed("genesis_key_mismatch", `the genesis entry does not register the operator key ${operatorPublicKeyHex}`, 0);
}

interface ReplayedEntry {
  entry: LogEntry;
  signed: SignedLedgerTransaction;
  txId: string;
  touched: Set<string>;
}

interface Replayed {
  state: MemoryState;
  replayed: ReplayedEntry[];
}

/** Applies the entries in order on an empty state, at each entry's commit time. */
function replayBundle(entries: readonly BundleEntry[], verifier: SignatureVerifier): Replayed | Failed {
  const state = new MemoryState();
  const replayed: ReplayedEntry[] = [];
  let lastAcceptedAtMs = 0;
  // The bundle opens with the genesis entry, whose network is the log's: every entry must name it.
  let networkId: string | null = null;
  for (const item of entries) {
    const { entry } = item;
    if (entry.acceptedAtMs < lastAcceptedAtMs) {
      return failed("accepted_at_decreased", `acceptedAtMs ${entry.acceptedAtMs} is before the previous ${lastAcceptedAtMs}`, entry.leafIndex);
    }
    const step = replayOne(state, item, verifier, (networkId ??= item.signed.transaction.networkId));
    if ("code" in step) return step;
    replayed.push(step);
    lastAcceptedAtMs = entry.acceptedAtMs;
  }
  return { state, replayed };
}

function replayOne(state: MemoryState, { entry, signed }: BundleEntry, verifier: SignatureVerifier, networkId: string): ReplayedEntry | Failed {
  const txId = transactionId(signed.transaction);
  try {
    // partialReplay: a split may show the parts off the branch as commitments alone.
    const outcome = applyTransaction(state, signed, { nowMs: entry.acceptedAtMs, txId, verifier, networkId, partialReplay: true });
    if (!outcome.ok) {
      return failed("contract_refused", outcome.detail ? `${outcome.code}: ${outcome.detail}` : outcome.code, entry.leafIndex);
    }
    state.applyChanges(outcome.changes);
    return { entry, signed, txId, touched: touchedClaims(outcome.changes) };
  } catch (error) {
    if (error instanceof InvariantViolation) return failed("invariant_violated", error.message, entry.leafIndex);
    throw error;
  }
}

/** Claims a transaction changed, directly or through its pledge or financing. */
function touchedClaims(changes: readonly StateChange[]): Set<string> {
  const ids = new Set<string>();
  for (const change of changes) {
    if (change.kind === "claim") ids.add(change.value.id);
    if (change.kind === "pledge" || change.kind === "financing") ids.add(change.value.claimId);
  }
  return ids;
}

/** The claim's ancestors in the replayed state, root first, ending at a root claim.issue. */
function lineageOf(bundle: ProvenanceBundle, { state, replayed }: Replayed): ProvenanceResult {
  const claim = state.getClaim(bundle.claimId);
  if (claim === undefined) return failed("claim_not_in_bundle", `replaying the bundle does not create claim ${bundle.claimId}`);
  const chain = ancestorChain(state, claim);
  if (typeof chain === "string") return failed("lineage_broken", chain);
  const root = chain[0] as Claim;
  const issue = replayed.find((step) => step.txId === root.createdTxId);
  if (issue?.signed.transaction.type !== "claim.issue") {
    return failed("lineage_broken", `root ${root.id} was not created by a claim.issue in the bundle`);
  }
  const position = new Map(chain.map((link, index) => [link.id, index]));
  const lineage = replayed.flatMap((step) => lineageStep(state, step, chain, position));
  const signatures = 1 + bundle.entries.reduce((sum, entry) => sum + 1 + entry.signed.cosignatures.length, 0);
  const checked = { signatures, inclusionProofs: bundle.entries.length, transactionsReplayed: replayed.length, checkpointSize: bundle.checkpoint.checkpoint.size };
  return { ok: true, claim, lineage, checked };
}

function ancestorChain(state: MemoryState, claim: Claim): Claim[] | string {
  const chain: Claim[] = [claim];
  for (let current = claim; current.parentId !== null; ) {
    const parent = state.getClaim(current.parentId);
    if (parent === undefined) return `parent ${current.parentId} of claim ${current.id} is not in the bundle`;
    if (chain.length > state.claims.size) return `the parents of claim ${claim.id} form a cycle`;
    chain.unshift(parent);
    current = parent;
  }
  const root = chain[0] as Claim;
  return root.id === root.rootId ? chain : `claim ${root.id} has no parent but is not a root`;
}

function lineageStep(state: MemoryState, step: ReplayedEntry, chain: readonly Claim[], position: ReadonlyMap<string, number>): LineageStep[] {
  let deepest = -1;
  for (const id of step.touched) deepest = Math.max(deepest, position.get(id) ?? -1);
  if (deepest < 0) return [];
  const claim = chain[deepest] as Claim;
  const { type, signer } = step.signed.transaction;
  return [
    {
      leafIndex: step.entry.leafIndex,
      txId: step.txId,
      type,
      signerOrgId: signer.orgId,
      signerOrgName: state.getOrg(signer.orgId)?.name ?? signer.orgId,
      claimId: claim.id,
      amountMinor: claim.amountMinor,
      acceptedAtMs: step.entry.acceptedAtMs,
    },
  ];
}

// ---------------------------------------------------------------------------------------
// Selection: which entries of the whole log go into a claim's bundle.

interface DecodedEntry {
  entry: LogEntry;
  signed: SignedLedgerTransaction;
  txId: string;
}

/** What the log says about claims and financings, without replaying it. */
interface LogIndex {
  decoded: DecodedEntry[];
  parentOf: Map<string, string | null>;
  createdBy: Map<string, DecodedEntry>;
  claimOfFinancing: Map<string, string>;
  /** The parties of each financing: its applicant (the holder that signed the application) and its lender. */
  financingParties: Map<string, readonly string[]>;
  /** The financingPolicy.set entry that created each policy. */
  policyCreatedBy: Map<string, DecodedEntry>;
}

/**
 * The entries of a provenance bundle for `claimId` (see the top of this file), ascending.
 * `allEntries` may be the whole log or any part of it that holds every entry the selection
 * needs (the server passes such a part). An empty list means the claim is not in the log.
 */
export function selectProvenanceEntries(allEntries: readonly LogEntry[], claimId: string, options: SelectionOptions = {}): LogEntry[] {
  const index = indexLog(allEntries);
  const chain = chainOf(index, claimId);
  if (chain.length === 0) return [];
  const chainSet = new Set(chain);
  const rootIssue = index.createdBy.get(chain[0] as string) as DecodedEntry;
  const lineId = (rootIssue.signed.transaction.body as { creditLineId: string }).creditLineId;
  const selected = index.decoded
    .filter(
      (item) =>
        item.entry.leafIndex === 0 ||
        isLineageEntry(index, item, chainSet) ||
        (item.entry.leafIndex < rootIssue.entry.leafIndex && isCreditLineEntry(item, lineId)),
    )
    .map((item) => redactOffBranch(item, chainSet));
  // Terms are redacted after the introductions are added: a policy comes in as one.
  const withKeys = addIntroductions(index, selected).map((item) => redactTermsFor(index, item, options.viewerOrgId ?? null));
  return withKeys.sort((a, b) => a.entry.leafIndex - b.entry.leafIndex).map((item) => item.entry);
}

export interface SelectionOptions {
  /**
   * The organisation the bundle is for: a credit line's or a policy's lender sees its own terms,
   * a financing's lender and applicant see the financing's; everyone else (and a bundle for
   * nobody in particular, a shared voucher) sees them as their commitment (terms-commitments.ts),
   * where the entry was signed with a terms salt.
   */
  viewerOrgId?: string | null;
}

/**
 * Who may read an entry's terms: a line's or a policy's lender (its signer); a financing's
 * parties, its applicant and its lender. A financing whose application the index lacks has none.
 */
function termsParties(index: LogIndex, item: DecodedEntry): readonly string[] {
  const { transaction } = item.signed;
  if (transaction.type === "financing.requestUnderPolicy") return index.financingParties.get(deriveId("fin", item.txId, 0)) ?? [];
  const financingId = (transaction.body as { financingId?: unknown }).financingId;
  if (typeof financingId === "string") return index.financingParties.get(financingId) ?? [];
  return [transaction.signer.orgId];
}

/** An entry with terms the viewer is no party to, with its terms replaced by their commitment (same id, signature and leaf). */
function redactTermsFor(index: LogIndex, item: DecodedEntry, viewerOrgId: string | null): DecodedEntry {
  const transaction = item.signed.transaction;
  if (!isTermsType(transaction.type) || (viewerOrgId !== null && termsParties(index, item).includes(viewerOrgId))) return item;
  const wire = item.entry.signed as unknown as { transaction: { type: string; body: unknown } };
  const redacted = redactTerms(wire.transaction);
  if (redacted === wire.transaction) return item;
  const signed = { ...wire, transaction: redacted } as unknown as LogEntry["signed"];
  const decoded = decodeSignedTransaction(signed);
  if (!decoded.ok) throw new Error(`${transaction.type} at leaf ${item.entry.leafIndex} does not decode with its terms committed`);
  return { entry: { ...item.entry, signed }, signed: decoded.value, txId: item.txId };
}

/**
 * A split on the lineage shows in full only the part that continues the branch; every other
 * part with commitments is replaced by its commitments (split-commitments.ts), which keeps the
 * transaction id, the signature and the leaf hash. Selection runs on the redacted entry, so the
 * organisations of the hidden parts are not introduced either. A split in the plain form (before
 * commitments) cannot be redacted and shows whole.
 */
function redactOffBranch(item: DecodedEntry, chain: ReadonlySet<string>): DecodedEntry {
  const transaction = item.signed.transaction;
  if (transaction.type !== "claim.split" || !transaction.body.parts.some(isCommittedPart)) return item;
  const wire = item.entry.signed as unknown as { transaction: { body: { parts: unknown[] } } };
  const parts = transaction.body.parts.map((part, index) =>
    chain.has(deriveId("c", item.txId, index)) || !isCommittedPart(part) ? wire.transaction.body.parts[index] : redactPart(part),
  );
  const signed = { ...wire, transaction: { ...wire.transaction, body: { ...wire.transaction.body, parts } } } as unknown as LogEntry["signed"];
  const decoded = decodeSignedTransaction(signed);
  if (!decoded.ok) throw new Error(`redacted split at leaf ${item.entry.leafIndex} does not decode`);
  return { entry: { ...item.entry, signed }, signed: decoded.value, txId: item.txId };
}

function indexLog(allEntries: readonly LogEntry[]): LogIndex {
  const index: LogIndex = { decoded: [], parentOf: new Map(), createdBy: new Map(), claimOfFinancing: new Map(), financingParties: new Map(), policyCreatedBy: new Map() };
  // Log order matters: an organisation's first registration is the one that created it.
  const ordered = [...allEntries].sort((a, b) => a.leafIndex - b.leafIndex);
  for (const entry of ordered) {
    const decoded = decodeSignedTransaction(entry.signed);
    // Selection runs on the operator's own log, which only ever holds accepted transactions.
    if (!decoded.ok) throw new Error(`log entry ${entry.leafIndex} does not decode`);
    const item = { entry, signed: decoded.value, txId: transactionId(decoded.value.transaction) };
    index.decoded.push(item);
    recordCreations(index, item);
  }
  return index;
}

function recordCreations(index: LogIndex, item: DecodedEntry): void {
  const transaction = item.signed.transaction;
  if (transaction.type === "claim.issue") {
    const id = deriveId("c", item.txId, 0);
    index.parentOf.set(id, null);
    index.createdBy.set(id, item);
  } else if (transaction.type === "claim.split") {
    transaction.body.parts.forEach((_, part) => {
      const id = deriveId("c", item.txId, part);
      index.parentOf.set(id, transaction.body.claimId);
      index.createdBy.set(id, item);
    });
  } else if (transaction.type === "financing.request" || transaction.type === "financing.requestUnderPolicy") {
    const financingId = deriveId("fin", item.txId, 0);
    index.claimOfFinancing.set(financingId, transaction.body.claimId);
    const lenderOrgId = transaction.type === "financing.request" ? transaction.body.lenderOrgId : index.policyCreatedBy.get(transaction.body.policyId)?.signed.transaction.signer.orgId;
    index.financingParties.set(financingId, lenderOrgId === undefined ? [transaction.signer.orgId] : [transaction.signer.orgId, lenderOrgId]);
  } else if (transaction.type === "financingPolicy.set") {
    index.policyCreatedBy.set(deriveId("pol", item.txId, 0), item);
  }
}

/** The claim and its ancestors, root first; empty if the log does not create the claim. */
function chainOf(index: LogIndex, claimId: string): string[] {
  const chain: string[] = [];
  for (let id: string | null | undefined = claimId; id !== null; id = index.parentOf.get(id)) {
    if (id === undefined || chain.includes(id)) return [];
    chain.unshift(id);
  }
  return chain;
}

/** Claims an entry is about, read from its body (the server's claim_ids column says the same). */
function claimsNamed(index: LogIndex, item: DecodedEntry): string[] {
  const transaction = item.signed.transaction;
  return kindOf(transaction.type).names.claims(transaction, item.txId, (financingId) => index.claimOfFinancing.get(financingId));
}

/** An entry of the claim's lineage: its kind takes part by the claims it names, and it names one of the chain. */
function isLineageEntry(index: LogIndex, item: DecodedEntry, chain: ReadonlySet<string>): boolean {
  if (kindOf(item.signed.transaction.type).lineage !== "claims") return false;
  return claimsNamed(index, item).some((id) => chain.has(id));
}

/** An entry of the credit line's history: its kind takes part as credit-line history, and it creates or changes `lineId`. */
function isCreditLineEntry(item: DecodedEntry, lineId: string): boolean {
  const { transaction } = item.signed;
  const kind = kindOf(transaction.type);
  return kind.lineage === "credit-line" && kind.names.creditLines(transaction.body, item.txId).includes(lineId);
}

/**
 * Every organisation the entries sign for or name, which is whose key introductions a
 * selection can need; the server narrows its candidate query with it.
 */
export function organisationsNamedBy(entries: readonly LogEntry[]): string[] {
  const orgs = new Set<string>();
  for (const entry of entries) {
    const decoded = decodeSignedTransaction(entry.signed);
    if (!decoded.ok) throw new Error(`log entry ${entry.leafIndex} does not decode`);
    for (const orgId of orgsNamed(decoded.value)) orgs.add(orgId);
  }
  return [...orgs];
}

/** The policy an application under a policy was priced by: its creation decides the terms. */
function policyIntroduction(index: LogIndex, signed: SignedLedgerTransaction): DecodedEntry | undefined {
  const { transaction } = signed;
  return transaction.type === "financing.requestUnderPolicy" ? index.policyCreatedBy.get(transaction.body.policyId) : undefined;
}

/** Adds, transitively, the entries that introduce every key, organisation and policy the selection needs. */
function addIntroductions(index: LogIndex, selected: DecodedEntry[]): DecodedEntry[] {
  const { keyIntroduction, firstRegistration } = keyIndex(index);
  const result = new Set(selected);
  const pending = [...selected];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { signer } = item.signed.transaction;
    const keys = [signer.keyId, ...item.signed.cosignatures.map((c) => c.keyId)];
    const needed = [
      ...keys.map((keyId) => keyIntroduction.get(keyId)),
      ...orgsNamed(item.signed).map((orgId) => firstRegistration.get(orgId)),
      policyIntroduction(index, item.signed),
    ];
    for (const introduction of needed) {
      if (introduction === undefined || result.has(introduction)) continue;
      result.add(introduction);
      pending.push(introduction);
    }
  }
  return [...result];
}

function keyIndex(index: LogIndex): { keyIntroduction: Map<string, DecodedEntry>; firstRegistration: Map<string, DecodedEntry> } {
  const keyIntroduction = new Map<string, DecodedEntry>();
  const firstRegistration = new Map<string, DecodedEntry>();
  for (const item of index.decoded) {
    const transaction = item.signed.transaction;
    const introduced = introducedKey(transaction);
    if (introduced !== undefined) keyIntroduction.set(introduced.keyId, item);
    if (transaction.type === "key.register" && !firstRegistration.has(transaction.body.orgId)) {
      firstRegistration.set(transaction.body.orgId, item);
    }
  }
  return { keyIntroduction, firstRegistration };
}
