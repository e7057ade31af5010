/**
 * Test fixtures for the ledger: deterministic organisations and keys, and a small driver
 * that signs real transactions and applies them to a MemoryState. Not a test file itself.
 */
import { DEMO_NETWORK_ID } from "@/contracts/ledger/schema";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@/contracts/hex";
import { generatePrivateKey, keyIdFor, nobleVerifier, publicKeyFromPrivate } from "@/contracts/signing";
import { cosignTransaction, signTransaction, transactionId, type SignedTransaction } from "@/contracts/transaction";
import { applyTransaction, type ApplyResult } from "@/contracts/ledger/apply";
import { MemoryState } from "@/contracts/ledger/state";
import type {
  ClaimDocuments,
  KeyRole,
  OrganisationRole,
  SignedLedgerTransaction,
  StateChange,
  TransactionBodies,
  TransactionType,
} from "@/contracts/ledger/types";
import type { Success } from "@/contracts/ledger/outcome";

/** 2025-03-01T09:00:00Z: the frozen clock of the fixtures. */
export const NOW_MS = Date.UTC(2025, 2, 1, 9, 0, 0);
export const DAY_MS = 86_400_000;
export const MATURITY_DATE = "2025-09-01";
export const LINE_LIMIT_MINOR = 10_000_000n;
/**
 * The checkpoint a fixture's financing decisions name. The driver's state does not track
 * checkpoints unless a test makes it (trackCheckpoints in ledger-apply.test.ts), so any hash
 * passes there; the rows for checkpoint_unknown track this one.
 */
export const DECIDED_ON = "d".repeat(64);

export const DOCUMENTS = {
  invoiceSha256: "a".repeat(64),
  contractSha256: "b".repeat(64),
  deliveryNoteSha256: "c".repeat(64),
};

/**
 * The documents of one issuance, its invoice named by `label`: one invoice backs at most one
 * live issuance, so every issuance of a world that should not collide names its own.
 */
export function documentsFor(label: string | number): ClaimDocuments {
  return { ...DOCUMENTS, invoiceSha256: bytesToHex(sha256(utf8ToBytes(`invoice ${label}`))) };
}

export interface KeyPair {
  privateKey: Uint8Array;
  publicKeyHex: string;
  keyId: string;
}

export interface Actor extends KeyPair {
  name: string;
  orgId: string;
  role: OrganisationRole;
}

/** A key derived from a label, so every run signs with the same keys. */
export function keyPair(label: string): KeyPair {
  const privateKey = generatePrivateKey(sha256(utf8ToBytes(`double-chain fixture key ${label}`)));
  const publicKey = publicKeyFromPrivate(privateKey);
  return { privateKey, publicKeyHex: bytesToHex(publicKey), keyId: keyIdFor(publicKey) };
}

export function actor(name: string, role: OrganisationRole): Actor {
  return { name, orgId: `org-${name}`, role, ...keyPair(name) };
}

export const ACTORS = {
  operator: actor("operator", "operator"),
  core: actor("core", "core_enterprise"),
  core2: actor("core2", "core_enterprise"),
  s1: actor("s1", "supplier"),
  s2: actor("s2", "supplier"),
  s3: actor("s3", "supplier"),
  bank: actor("bank", "lender"),
  bank2: actor("bank2", "lender"),
  auditor: actor("auditor", "auditor"),
} as const;
export type ActorName = keyof typeof ACTORS;

export interface TxOptions {
  /** Sign with this key instead of the actor's (the envelope names this key). */
  key?: KeyPair;
  /** Envelope signer organisation, if not the actor's. */
  orgId?: string;
  nonce?: string;
  createdAtMs?: number;
  cosigners?: { orgId: string; key: KeyPair }[];
  /** The network the transaction names; the demo's (the ledger's here) by default. */
  networkId?: string;
}

/** A copy of `state`; `checkpointHashes` makes the copy track those checkpoints (else it tracks as `state` does). */
export function cloneState(state: MemoryState, checkpointHashes = state.listCheckpoints()): MemoryState {
  return new MemoryState({
    checkpointHashes,
    orgs: [...state.orgs.values()],
    keys: [...state.keys.values()],
    creditLines: [...state.creditLines.values()],
    claims: [...state.claims.values()],
    pledges: [...state.pledges.values()],
    financings: [...state.financings.values()],
    policies: [...state.policies.values()],
    repayments: [...state.repayments.values()],
    nonces: state.listNonces(),
  });
}

/** Everything observable in a MemoryState, as plain data for equality checks. */
export function snapshot(state: MemoryState): unknown {
  const sorted = <T>(map: Map<string, T>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  // A deep copy, so that a transition that edited stored objects in place is caught.
  return structuredClone({
    orgs: sorted(state.orgs),
    keys: sorted(state.keys),
    creditLines: sorted(state.creditLines),
    claims: sorted(state.claims),
    pledges: sorted(state.pledges),
    financings: sorted(state.financings),
    policies: sorted(state.policies),
    repayments: sorted(state.repayments),
    nonces: state.listNonces().map((n) => `${n.orgId}/${n.keyId}/${n.nonce}`).sort(),
  });
}

export type Applied = Success & { txId: string };

/** Signs transactions and applies them to its MemoryState with a settable clock. */
export class LedgerDriver {
  private nonceCounter = 0;
  /** What this driver (not its clones) applied, in order: to build the same ledger elsewhere. */
  readonly history: SignedTransaction[] = [];

  constructor(
    public state: MemoryState = new MemoryState(),
    public nowMs: number = NOW_MS,
  ) {}

  clone(): LedgerDriver {
    const copy = new LedgerDriver(cloneState(this.state), this.nowMs);
    copy.nonceCounter = this.nonceCounter;
    return copy;
  }

  nextNonce(): string {
    this.nonceCounter += 1;
    return this.nonceCounter.toString(16).padStart(32, "0");
  }

  sign<K extends TransactionType>(
    who: Actor,
    type: K,
    body: TransactionBodies[K],
    options: TxOptions = {},
  ): SignedLedgerTransaction<K> {
    const key = options.key ?? who;
    const transaction = {
      type,
      networkId: options.networkId ?? DEMO_NETWORK_ID,
      body,
      signer: { orgId: options.orgId ?? who.orgId, keyId: key.keyId },
      nonce: options.nonce ?? this.nextNonce(),
      createdAtMs: options.createdAtMs ?? this.nowMs,
    };
    let signed = signTransaction(transaction, key.privateKey) as SignedLedgerTransaction<K>;
    for (const cosigner of options.cosigners ?? []) {
      signed = cosignTransaction(signed, cosigner.orgId, cosigner.key.keyId, cosigner.key.privateKey);
    }
    return signed;
  }

  /** Applies without writing: the state stays as it was. */
  attempt(signed: SignedTransaction, nowMs: number = this.nowMs): ApplyResult {
    return applyTransaction(this.state, signed, {
      nowMs,
      txId: transactionId(signed.transaction),
      verifier: nobleVerifier,
      networkId: DEMO_NETWORK_ID,
    });
  }

  /** Applies and, on success, writes the changes. */
  submit(signed: SignedTransaction, nowMs: number = this.nowMs): ApplyResult {
    const result = this.attempt(signed, nowMs);
    if (result.ok) {
      this.state.applyChanges(result.changes);
      this.history.push(signed);
    }
    return result;
  }

  /** Signs, applies and writes; throws if the transaction is refused. */
  run<K extends TransactionType>(who: Actor, type: K, body: TransactionBodies[K], options: TxOptions = {}): Applied {
    const signed = this.sign(who, type, body, options);
    const result = this.submit(signed);
    if (!result.ok) throw new Error(`${type} by ${who.name} refused: ${result.code} ${result.detail ?? ""}`);
    return { ...result, txId: transactionId(signed.transaction) };
  }

  /**
   * Registers `key` for `who`'s organisation: the genesis takes no cosignature, an
   * organisation's first key is approved by the operator, a further key by `who`'s own key.
   */
  register(who: Actor, key: KeyPair = who, keyRole: KeyRole = "admin", holderUserId = `usr_${who.name}`): Applied {
    const body = { orgId: who.orgId, orgName: `Org ${who.name}`, role: who.role, publicKeyHex: key.publicKeyHex, keyId: key.keyId, keyRole, holderUserId };
    const approver = this.state.getOrg(who.orgId) === undefined ? ACTORS.operator : who;
    const cosigners = this.state.hasKeys() ? [{ orgId: approver.orgId, key: approver }] : [];
    return this.run(who, "key.register", body, { key, cosigners });
  }

  grant(lender: Actor, core: Actor, limitMinor: bigint = LINE_LIMIT_MINOR): string {
    const applied = this.run(lender, "creditLine.grant", {
      coreEnterpriseOrgId: core.orgId,
      currency: "CNY",
      limitMinor,
      expiresAtMs: NOW_MS + 365 * DAY_MS,
    });
    return created(applied.changes, "creditLine");
  }

  /** Issues with `documents`, by default an invoice of its own (numbered by the nonce it is signed with). */
  issue(core: Actor, creditLineId: string, to: Actor, amountMinor: bigint, maturityDate = MATURITY_DATE, documents = documentsFor(this.nonceCounter + 1)): string {
    const applied = this.run(core, "claim.issue", {
      creditLineId,
      toOrgId: to.orgId,
      amountMinor,
      currency: "CNY",
      maturityDate,
      documents,
    });
    return created(applied.changes, "claim");
  }

  /** Issues to `to` and has `to` accept: a held root. */
  issueHeld(core: Actor, creditLineId: string, to: Actor, amountMinor: bigint, maturityDate = MATURITY_DATE, documents?: ClaimDocuments): string {
    const claimId = this.issue(core, creditLineId, to, amountMinor, maturityDate, documents);
    this.run(to, "claim.accept", { claimId });
    return claimId;
  }

  split(holder: Actor, claimId: string, parts: [Actor, bigint][]): string[] {
    const applied = this.run(holder, "claim.split", {
      claimId,
      parts: parts.map(([to, amountMinor]) => ({ toOrgId: to.orgId, amountMinor })),
    });
    return applied.changes.flatMap((change) =>
      change.kind === "claim" && change.value.parentId === claimId ? [change.value.id] : [],
    );
  }

  requestFinancing(holder: Actor, claimId: string, lender: Actor): string {
    const applied = this.run(holder, "financing.request", { claimId, lenderOrgId: lender.orgId });
    return created(applied.changes, "financing");
  }
}

function created(changes: readonly StateChange[], kind: "creditLine" | "claim" | "financing"): string {
  const change = changes.find((candidate) => candidate.kind === kind);
  if (change === undefined || change.kind !== kind) throw new Error(`no ${kind} created`);
  return change.value.id;
}

/**
 * The standard world: every actor registered (the operator first, as genesis; the others
 * cosigned by the operator) and a credit line from bank to core.
 */
export function standardWorld(): { driver: LedgerDriver; lineId: string } {
  const driver = new LedgerDriver();
  driver.register(ACTORS.operator);
  for (const who of Object.values(ACTORS)) {
    if (who !== ACTORS.operator) driver.register(who);
  }
  const lineId = driver.grant(ACTORS.bank, ACTORS.core);
  return { driver, lineId };
}
