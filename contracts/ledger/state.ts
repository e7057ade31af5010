/**
 * What a transition may read (StateView), an in-memory implementation of it (MemoryState),
 * a view of "base state plus pending changes" (OverlayView), and the list of rows a
 * transaction needs loaded before it runs (prefetchKeys, kinds/index.ts).
 *
 * Transitions never mutate the view. They return upserts (`StateChange[]`) that the caller
 * writes: the service into the database, MemoryState through `applyChanges`.
 */
import {
  isLiveIssuance,
  type ApprovalPolicy,
  type Claim,
  type CreditLine,
  type Financing,
  type FinancingPolicy,
  type NonceUse,
  type Organisation,
  type Pledge,
  type Repayment,
  type SigningKey,
  type StateChange,
} from "./types";

export interface StateView {
  getOrg(orgId: string): Organisation | undefined;
  getKey(keyId: string): SigningKey | undefined;
  /**
   * The organisation's active keys, in key id order. The service loads an organisation's
   * whole key set only when the transaction asks for it (PrefetchKeys.keySets): the guards
   * on its last keys of a role and the operator's keys by role read it.
   */
  getActiveKeysOf(orgId: string): readonly SigningKey[];
  /** The organisation's maker-checker rules, if it set any (approvals.ts). */
  getApprovalPolicy(orgId: string): ApprovalPolicy | undefined;
  getCreditLine(creditLineId: string): CreditLine | undefined;
  getClaim(claimId: string): Claim | undefined;
  /**
   * Every claim of one issuance (the root, split parents, live and finished leaves), sorted
   * by id ascending. Transitions filter the live leaves themselves; invariant checks need
   * the whole tree.
   */
  getClaimsByRoot(rootId: string): readonly Claim[];
  /** The same claims in no particular order, so a caller that needs no order skips the sort (invariant checks). */
  getClaimsByRootUnordered(rootId: string): readonly Claim[];
  getFinancing(financingId: string): Financing | undefined;
  getPolicy(policyId: string): FinancingPolicy | undefined;
  /** The lender's policy for this core enterprise whose status is "active", if any (at most one). */
  getActivePolicy(lenderOrgId: string, coreEnterpriseOrgId: string): FinancingPolicy | undefined;
  /** The pledge of this claim whose status is "active", if any (there is at most one). */
  getActivePledge(claimId: string): Pledge | undefined;
  /** The live issuance (types.ts isLiveIssuance) whose documents name this invoice, if any (there is at most one). */
  getLiveIssuanceByInvoice(invoiceSha256: string): Claim | undefined;
  hasNonce(orgId: string, keyId: string, nonce: string): boolean;
  /** False only for an empty ledger, where the first key registration is the genesis. */
  hasKeys(): boolean;
  /**
   * Whether a checkpoint with this note-text hash (checkpointTextHash) closed before the
   * transaction: a financing decision names the checkpoint it was decided on.
   */
  hasCheckpoint(checkpointHash: string): boolean;
}

function nonceKey(orgId: string, keyId: string, nonce: string): string {
  return `${orgId}\u0000${keyId}\u0000${nonce}`;
}

function pairKey(lenderOrgId: string, coreEnterpriseOrgId: string): string {
  return `${lenderOrgId}\u0000${coreEnterpriseOrgId}`;
}

/** Changes whose after-state invariants.ts has asserted: on which base, at which version of it, for which issuances. */
const vouchedRoots = new WeakMap<readonly StateChange[], { base: StateView; version: number; rootIds: ReadonlySet<string> }>();

/**
 * Records that `base` with `changes` laid over it satisfies the invariants of the issuances
 * `rootIds` (called by assertTransitionInvariants once they passed). When that very
 * MemoryState, unchanged since, applies this very array, those issuances are known to be
 * checked; any other change to them (a load, a hand-made change, another array) makes them
 * unchecked again. The array is frozen, so it cannot be edited after the check.
 */
export function vouchForChanges(base: StateView, changes: readonly StateChange[], rootIds: readonly string[]): void {
  Object.freeze(changes);
  vouchedRoots.set(changes, { base, version: base instanceof MemoryState ? base.version : -1, rootIds: new Set(rootIds) });
}

function byId(left: Claim, right: Claim): number {
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

function byKeyId(left: SigningKey, right: SigningKey): number {
  return left.keyId < right.keyId ? -1 : left.keyId > right.keyId ? 1 : 0;
}

export interface MemoryStateContents {
  orgs?: readonly Organisation[];
  keys?: readonly SigningKey[];
  approvalPolicies?: readonly ApprovalPolicy[];
  creditLines?: readonly CreditLine[];
  claims?: readonly Claim[];
  pledges?: readonly Pledge[];
  financings?: readonly Financing[];
  policies?: readonly FinancingPolicy[];
  repayments?: readonly Repayment[];
  nonces?: readonly NonceUse[];
  /**
   * The checkpoints (note-text hashes) known to have closed. Given, the state tracks them
   * and hasCheckpoint answers from this set and addCheckpoint's; left out, the state does
   * not track checkpoints and accepts any hash. Only a replay that sees every checkpoint
   * (the service's database, verifyLog) can track them; a partial replay (a provenance
   * bundle, a follower that starts mid-log) relies on the full one having checked.
   */
  checkpointHashes?: readonly string[];
}

/**
 * StateView over Maps. Used by tests, by the verifier when it replays a log, and by the
 * service, which can fill one with the prefetched rows and hand it to applyTransaction.
 * Stored values are treated as immutable: applyChanges replaces them, never edits them.
 */
export class MemoryState implements StateView {
  readonly orgs = new Map<string, Organisation>();
  readonly keys = new Map<string, SigningKey>();
  readonly approvalPolicies = new Map<string, ApprovalPolicy>();
  readonly creditLines = new Map<string, CreditLine>();
  readonly claims = new Map<string, Claim>();
  readonly pledges = new Map<string, Pledge>();
  readonly financings = new Map<string, Financing>();
  readonly policies = new Map<string, FinancingPolicy>();
  readonly repayments = new Map<string, Repayment>();
  private readonly nonces = new Set<string>();
  private readonly claimIdsByRoot = new Map<string, Set<string>>();
  private readonly activePledgeIdByClaim = new Map<string, string>();
  private readonly activePolicyIdByPair = new Map<string, string>();
  private readonly liveRootIdsByInvoice = new Map<string, Set<string>>();
  private readonly checkedRoots = new Set<string>();
  private changeVersion = 0;
  private readonly checkpoints: Set<string> | null;

  constructor(contents: MemoryStateContents = {}) {
    this.checkpoints = contents.checkpointHashes === undefined ? null : new Set(contents.checkpointHashes);
    const changes: StateChange[] = [
      ...(contents.orgs ?? []).map((value) => ({ kind: "org", value }) as const),
      ...(contents.keys ?? []).map((value) => ({ kind: "key", value }) as const),
      ...(contents.approvalPolicies ?? []).map((value) => ({ kind: "approvalPolicy", value }) as const),
      ...(contents.creditLines ?? []).map((value) => ({ kind: "creditLine", value }) as const),
      ...(contents.claims ?? []).map((value) => ({ kind: "claim", value }) as const),
      ...(contents.pledges ?? []).map((value) => ({ kind: "pledge", value }) as const),
      ...(contents.policies ?? []).map((value) => ({ kind: "policy", value }) as const),
      ...(contents.financings ?? []).map((value) => ({ kind: "financing", value }) as const),
      ...(contents.repayments ?? []).map((value) => ({ kind: "repayment", value }) as const),
      ...(contents.nonces ?? []).map((value) => ({ kind: "nonce", value }) as const),
    ];
    this.applyChanges(changes);
  }

  getOrg(orgId: string): Organisation | undefined {
    return this.orgs.get(orgId);
  }
  getKey(keyId: string): SigningKey | undefined {
    return this.keys.get(keyId);
  }
  getActiveKeysOf(orgId: string): readonly SigningKey[] {
    const active: SigningKey[] = [];
    for (const key of this.keys.values()) if (key.orgId === orgId && key.status === "active") active.push(key);
    return active.sort(byKeyId);
  }
  getApprovalPolicy(orgId: string): ApprovalPolicy | undefined {
    return this.approvalPolicies.get(orgId);
  }
  getCreditLine(creditLineId: string): CreditLine | undefined {
    return this.creditLines.get(creditLineId);
  }
  getClaim(claimId: string): Claim | undefined {
    return this.claims.get(claimId);
  }
  getClaimsByRoot(rootId: string): readonly Claim[] {
    return this.getClaimsByRootUnordered(rootId).sort(byId);
  }
  getClaimsByRootUnordered(rootId: string): Claim[] {
    const ids = this.claimIdsByRoot.get(rootId);
    const claims: Claim[] = [];
    if (ids !== undefined) for (const id of ids) claims.push(this.claims.get(id) as Claim);
    return claims;
  }
  getFinancing(financingId: string): Financing | undefined {
    return this.financings.get(financingId);
  }
  getActivePledge(claimId: string): Pledge | undefined {
    const pledgeId = this.activePledgeIdByClaim.get(claimId);
    return pledgeId === undefined ? undefined : this.pledges.get(pledgeId);
  }
  getPolicy(policyId: string): FinancingPolicy | undefined {
    return this.policies.get(policyId);
  }
  getActivePolicy(lenderOrgId: string, coreEnterpriseOrgId: string): FinancingPolicy | undefined {
    const policyId = this.activePolicyIdByPair.get(pairKey(lenderOrgId, coreEnterpriseOrgId));
    return policyId === undefined ? undefined : this.policies.get(policyId);
  }
  getLiveIssuanceByInvoice(invoiceSha256: string): Claim | undefined {
    return this.liveIssuancesByInvoice(invoiceSha256)[0];
  }
  /** Every live issuance naming this invoice, in id order: one at most while the invariants hold. */
  liveIssuancesByInvoice(invoiceSha256: string): Claim[] {
    const ids = this.liveRootIdsByInvoice.get(invoiceSha256);
    return ids === undefined ? [] : [...ids].sort().map((id) => this.claims.get(id) as Claim);
  }
  hasNonce(orgId: string, keyId: string, nonce: string): boolean {
    return this.nonces.has(nonceKey(orgId, keyId, nonce));
  }
  /** What this state holds, as MemoryState's constructor takes it (a follower's snapshot). */
  contents(): MemoryStateContents {
    return {
      orgs: [...this.orgs.values()],
      keys: [...this.keys.values()],
      approvalPolicies: [...this.approvalPolicies.values()],
      creditLines: [...this.creditLines.values()],
      claims: [...this.claims.values()],
      pledges: [...this.pledges.values()],
      financings: [...this.financings.values()],
      policies: [...this.policies.values()],
      repayments: [...this.repayments.values()],
      nonces: this.listNonces(),
      ...(this.checkpoints === null ? {} : { checkpointHashes: [...this.checkpoints] }),
    };
  }
  /** How many nonces were spent (listNonces without building the list). */
  get nonceCount(): number {
    return this.nonces.size;
  }
  hasKeys(): boolean {
    return this.keys.size > 0;
  }
  hasCheckpoint(checkpointHash: string): boolean {
    return this.checkpoints === null || this.checkpoints.has(checkpointHash);
  }
  /** The checkpoints a tracking state knows; undefined when it does not track them (for copies). */
  listCheckpoints(): string[] | undefined {
    return this.checkpoints === null ? undefined : [...this.checkpoints];
  }
  /** Records a checkpoint that has closed (a tracking state only; see MemoryStateContents.checkpointHashes). */
  addCheckpoint(checkpointHash: string): void {
    this.checkpoints?.add(checkpointHash);
  }

  /** Every nonce recorded so far (for snapshots and comparisons). */
  listNonces(): NonceUse[] {
    return [...this.nonces].map((entry) => {
      const [orgId = "", keyId = "", nonce = ""] = entry.split("\u0000");
      return { orgId, keyId, nonce };
    });
  }

  /** Writes the upserts returned by applyTransaction, in order. */
  applyChanges(changes: readonly StateChange[]): void {
    const vouch = vouchedRoots.get(changes);
    const vouched = vouch !== undefined && vouch.base === this && vouch.version === this.changeVersion ? vouch.rootIds : undefined;
    for (const change of changes) this.applyChange(change);
    this.changeVersion += 1;
    this.trackCheckedRoots(changes, vouched);
  }

  /** How many times applyChanges ran: a vouch holds only for the version it was made on. */
  get version(): number {
    return this.changeVersion;
  }

  /**
   * True when the issuance `rootId` is exactly as it was when its invariants were last
   * asserted: every change to it since it was loaded came from changes the invariant checks
   * vouched for (see vouchForChanges). The check of a transition's base then adds nothing.
   */
  hasCheckedRoot(rootId: string): boolean {
    return this.checkedRoots.has(rootId);
  }

  private trackCheckedRoots(changes: readonly StateChange[], vouched: ReadonlySet<string> | undefined): void {
    for (const change of changes) {
      const rootId = change.kind === "claim" ? change.value.rootId : change.kind === "pledge" ? this.claims.get(change.value.claimId)?.rootId : undefined;
      if (rootId === undefined) continue;
      if (vouched?.has(rootId)) this.checkedRoots.add(rootId);
      else this.checkedRoots.delete(rootId);
    }
  }

  private applyChange(change: StateChange): void {
    switch (change.kind) {
      case "org":
        this.orgs.set(change.value.id, change.value);
        return;
      case "key":
        this.keys.set(change.value.keyId, change.value);
        return;
      case "approvalPolicy":
        this.approvalPolicies.set(change.value.orgId, change.value);
        return;
      case "creditLine":
        this.creditLines.set(change.value.id, change.value);
        return;
      case "claim":
        this.putClaim(change.value);
        return;
      case "pledge":
        this.putPledge(change.value);
        return;
      case "financing":
        this.financings.set(change.value.id, change.value);
        return;
      case "policy":
        this.putPolicy(change.value);
        return;
      case "repayment":
        this.repayments.set(change.value.id, change.value);
        return;
      case "nonce":
        this.nonces.add(nonceKey(change.value.orgId, change.value.keyId, change.value.nonce));
        return;
    }
  }

  private putClaim(claim: Claim): void {
    const previous = this.claims.get(claim.id);
    if (previous !== undefined && previous.rootId !== claim.rootId) {
      this.claimIdsByRoot.get(previous.rootId)?.delete(claim.id);
      this.checkedRoots.delete(previous.rootId);
    }
    this.claims.set(claim.id, claim);
    const ids = this.claimIdsByRoot.get(claim.rootId) ?? new Set<string>();
    ids.add(claim.id);
    this.claimIdsByRoot.set(claim.rootId, ids);
    this.indexInvoice(previous, claim);
  }

  private indexInvoice(previous: Claim | undefined, claim: Claim): void {
    const before = previous?.documents?.invoiceSha256;
    if (before !== undefined) this.liveRootIdsByInvoice.get(before)?.delete(claim.id);
    const invoice = claim.documents?.invoiceSha256;
    if (invoice === undefined || !isLiveIssuance(claim)) return;
    const ids = this.liveRootIdsByInvoice.get(invoice) ?? new Set<string>();
    this.liveRootIdsByInvoice.set(invoice, ids.add(claim.id));
  }

  private putPolicy(policy: FinancingPolicy): void {
    this.policies.set(policy.id, policy);
    const pair = pairKey(policy.lenderOrgId, policy.coreEnterpriseOrgId);
    if (policy.status === "active") {
      this.activePolicyIdByPair.set(pair, policy.id);
    } else if (this.activePolicyIdByPair.get(pair) === policy.id) {
      this.activePolicyIdByPair.delete(pair);
    }
  }

  private putPledge(pledge: Pledge): void {
    const previous = this.pledges.get(pledge.id);
    if (previous !== undefined && previous.claimId !== pledge.claimId) {
      const previousRootId = this.claims.get(previous.claimId)?.rootId;
      if (previousRootId !== undefined) this.checkedRoots.delete(previousRootId);
      if (this.activePledgeIdByClaim.get(previous.claimId) === pledge.id) this.activePledgeIdByClaim.delete(previous.claimId);
    }
    this.pledges.set(pledge.id, pledge);
    if (pledge.status === "active") {
      this.activePledgeIdByClaim.set(pledge.claimId, pledge.id);
    } else if (this.activePledgeIdByClaim.get(pledge.claimId) === pledge.id) {
      this.activePledgeIdByClaim.delete(pledge.claimId);
    }
  }
}

/**
 * The base view with pending changes laid over it: what the state will be once the
 * changes are written. Transitions use it to check invariants before returning.
 */
export class OverlayView implements StateView {
  private readonly pending = new MemoryState();
  private readonly touchedPledgeClaims = new Set<string>();

  /**
   * `txId` names the transaction that produced `changes`: claims it created are known not
   * to exist in the base, so the base is never asked about them (it may hold only the
   * prefetched rows).
   */
  constructor(
    private readonly base: StateView,
    changes: readonly StateChange[],
    private readonly txId: string | null = null,
  ) {
    this.pending.applyChanges(changes);
    for (const pledge of this.pending.pledges.values()) this.touchedPledgeClaims.add(pledge.claimId);
  }

  /** True when `claimId` was created by the pending changes' transaction. */
  isNewClaim(claimId: string): boolean {
    return this.txId !== null && this.pending.getClaim(claimId)?.createdTxId === this.txId;
  }

  getOrg(orgId: string): Organisation | undefined {
    return this.pending.getOrg(orgId) ?? this.base.getOrg(orgId);
  }
  getKey(keyId: string): SigningKey | undefined {
    return this.pending.getKey(keyId) ?? this.base.getKey(keyId);
  }
  getActiveKeysOf(orgId: string): readonly SigningKey[] {
    const merged = new Map<string, SigningKey>();
    for (const key of this.base.getActiveKeysOf(orgId)) merged.set(key.keyId, key);
    for (const key of this.pending.keys.values()) if (key.orgId === orgId) merged.set(key.keyId, key);
    return [...merged.values()].filter((key) => key.status === "active").sort(byKeyId);
  }
  getApprovalPolicy(orgId: string): ApprovalPolicy | undefined {
    return this.pending.getApprovalPolicy(orgId) ?? this.base.getApprovalPolicy(orgId);
  }
  getCreditLine(creditLineId: string): CreditLine | undefined {
    return this.pending.getCreditLine(creditLineId) ?? this.base.getCreditLine(creditLineId);
  }
  getClaim(claimId: string): Claim | undefined {
    return this.pending.getClaim(claimId) ?? this.base.getClaim(claimId);
  }
  getClaimsByRoot(rootId: string): readonly Claim[] {
    return this.getClaimsByRootUnordered(rootId).sort(byId);
  }
  getClaimsByRootUnordered(rootId: string): Claim[] {
    const merged = new Map<string, Claim>();
    if (!this.isNewClaim(rootId)) {
      for (const claim of this.base.getClaimsByRootUnordered(rootId)) merged.set(claim.id, claim);
    }
    for (const claim of this.pending.getClaimsByRootUnordered(rootId)) merged.set(claim.id, claim);
    return [...merged.values()];
  }
  getFinancing(financingId: string): Financing | undefined {
    return this.pending.getFinancing(financingId) ?? this.base.getFinancing(financingId);
  }
  getActivePledge(claimId: string): Pledge | undefined {
    const pendingActive = this.pending.getActivePledge(claimId);
    if (pendingActive !== undefined || this.isNewClaim(claimId)) return pendingActive;
    const baseActive = this.base.getActivePledge(claimId);
    if (baseActive === undefined || !this.touchedPledgeClaims.has(claimId)) return baseActive;
    // The base's active pledge counts unless a pending change released it.
    return this.pending.pledges.get(baseActive.id)?.status === "released" ? undefined : baseActive;
  }
  getPolicy(policyId: string): FinancingPolicy | undefined {
    return this.pending.getPolicy(policyId) ?? this.base.getPolicy(policyId);
  }
  getActivePolicy(lenderOrgId: string, coreEnterpriseOrgId: string): FinancingPolicy | undefined {
    const pendingActive = this.pending.getActivePolicy(lenderOrgId, coreEnterpriseOrgId);
    if (pendingActive !== undefined) return pendingActive;
    const baseActive = this.base.getActivePolicy(lenderOrgId, coreEnterpriseOrgId);
    if (baseActive === undefined) return undefined;
    // The base's active policy counts unless a pending change ended it.
    const pendingVersion = this.pending.policies.get(baseActive.id);
    return pendingVersion === undefined || pendingVersion.status === "active" ? baseActive : undefined;
  }
  getLiveIssuanceByInvoice(invoiceSha256: string): Claim | undefined {
    return this.liveIssuancesByInvoice(invoiceSha256)[0];
  }
  /** True when the claim is a live issuance in the base (a claim the pending changes created is not in it). */
  wasLiveIssuance(claimId: string): boolean {
    if (this.isNewClaim(claimId)) return false;
    const before = this.base.getClaim(claimId);
    return before !== undefined && isLiveIssuance(before);
  }
  /** Live issuances naming the invoice in base and pending changes together, in id order (invariant checks). */
  liveIssuancesByInvoice(invoiceSha256: string): Claim[] {
    const live = new Map<string, Claim>();
    const baseLive = this.base.getLiveIssuanceByInvoice(invoiceSha256);
    // The base names one at most; a pending change to it (cancelled, repaid) decides whether it still counts.
    if (baseLive !== undefined && this.pending.getClaim(baseLive.id) === undefined) live.set(baseLive.id, baseLive);
    for (const claim of this.pending.liveIssuancesByInvoice(invoiceSha256)) live.set(claim.id, claim);
    return [...live.values()].sort(byId);
  }
  /** Active policies of a lender and core enterprise in base and pending changes together (invariant checks). */
  countActivePolicies(lenderOrgId: string, coreEnterpriseOrgId: string): number {
    const ids = new Set<string>();
    const baseActive = this.base.getActivePolicy(lenderOrgId, coreEnterpriseOrgId);
    if (baseActive !== undefined && (this.pending.policies.get(baseActive.id)?.status ?? "active") === "active") {
      ids.add(baseActive.id);
    }
    for (const policy of this.pending.policies.values()) {
      const samePair = policy.lenderOrgId === lenderOrgId && policy.coreEnterpriseOrgId === coreEnterpriseOrgId;
      if (samePair && policy.status === "active") ids.add(policy.id);
    }
    return ids.size;
  }
  /** Active pledges of a claim in base and pending changes together (invariant checks). */
  countActivePledges(claimId: string): number {
    const ids = new Set<string>();
    const baseActive = this.isNewClaim(claimId) ? undefined : this.base.getActivePledge(claimId);
    if (baseActive !== undefined && this.pending.pledges.get(baseActive.id)?.status !== "released") {
      ids.add(baseActive.id);
    }
    for (const pledge of this.pending.pledges.values()) {
      if (pledge.claimId === claimId && pledge.status === "active") ids.add(pledge.id);
    }
    return ids.size;
  }
  hasNonce(orgId: string, keyId: string, nonce: string): boolean {
    return this.pending.hasNonce(orgId, keyId, nonce) || this.base.hasNonce(orgId, keyId, nonce);
  }
  hasKeys(): boolean {
    return this.pending.hasKeys() || this.base.hasKeys();
  }
  hasCheckpoint(checkpointHash: string): boolean {
    return this.base.hasCheckpoint(checkpointHash);
  }
}

/**
 * Rows a transaction needs loaded (and, in the service, locked) before applyTransaction
 * runs. The lists come from the transaction alone. Loading them is one step; the service
 * must then also load, transitively:
 *  - for every key loaded: its organisation;
 *  - for every financing loaded: its claim;
 *  - for every invoice: the live issuance naming it, if any, as a claim loaded;
 *  - for every claim loaded: every claim of its root (getClaimsByRoot), the active pledge
 *    of each of those claims, and the root's credit line.
 * Rows that do not exist are simply absent: "not found" is an answer the contract gives.
 * `hasKeys` says whether the transition asks whether any key exists (genesis).
 */
export interface PrefetchKeys {
  orgIds: string[];
  keyIds: string[];
  creditLineIds: string[];
  claimIds: string[];
  financingIds: string[];
  policyIds: string[];
  /** Lender and core enterprise pairs whose active policy the transition reads. */
  activePolicies: { lenderOrgId: string; coreEnterpriseOrgId: string }[];
  /** Invoice hashes whose live issuance the transition reads (and, through its root, that issuance's claims). */
  invoices: string[];
  nonces: NonceUse[];
  hasKeys: boolean;
  /** Organisations whose whole key set the transition reads (getActiveKeysOf). */
  keySets: string[];
  /** Checkpoints (note-text hashes) the transaction names. */
  checkpointHashes: string[];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function uniqueBy<T>(values: readonly T[], keyOf: (value: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const value of values) if (!byKey.has(keyOf(value))) byKey.set(keyOf(value), value);
  return [...byKey.values()];
}

/**
 * The rows a whole block of transactions needs: the union of their PrefetchKeys, under the
 * same transitive rule. Loading this once serves every transaction of the block, since the
 * rows a transaction creates or changes are then in the block's state when a later one reads them.
 */
export function mergePrefetchKeys(all: readonly PrefetchKeys[]): PrefetchKeys {
  return {
    orgIds: unique(all.flatMap((keys) => keys.orgIds)),
    keyIds: unique(all.flatMap((keys) => keys.keyIds)),
    creditLineIds: unique(all.flatMap((keys) => keys.creditLineIds)),
    claimIds: unique(all.flatMap((keys) => keys.claimIds)),
    financingIds: unique(all.flatMap((keys) => keys.financingIds)),
    policyIds: unique(all.flatMap((keys) => keys.policyIds)),
    activePolicies: uniqueBy(all.flatMap((keys) => keys.activePolicies), (pair) => pairKey(pair.lenderOrgId, pair.coreEnterpriseOrgId)),
    invoices: unique(all.flatMap((keys) => keys.invoices)),
    nonces: uniqueBy(all.flatMap((keys) => keys.nonces), (use) => nonceKey(use.orgId, use.keyId, use.nonce)),
    hasKeys: all.some((keys) => keys.hasKeys),
    keySets: unique(all.flatMap((keys) => keys.keySets)),
    checkpointHashes: unique(all.flatMap((keys) => keys.checkpointHashes)),
  };
}
