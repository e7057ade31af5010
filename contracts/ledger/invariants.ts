/**
 * Invariants of the ledger state, asserted before and after every transition.
 *
 * Per issuance (root claim):
 *  - every piece is positive, 0 <= settled <= amount, and shares the root's issuer, credit
 *    line, currency and maturity;
 *  - the children of a split piece sum exactly to its unsettled amount;
 *  - sum over live leaves of (amount - settled) + repaid on the root = the root's face,
 *    and repaid on the root = sum of settled over all pieces (nothing appears or vanishes);
 *  - one holder per piece, an offer only in state "offered", financed pieces were financed
 *    once and are no longer in financing, and a pledged piece has exactly one active pledge.
 * Per invoice: at most one live issuance (types.ts isLiveIssuance) names it.
 * Per credit line: 0 <= used <= limit. Per lender and core enterprise: at most one active policy. Per key: revoked exactly when it has a revocation time.
 */
import { MemoryState, OverlayView, vouchForChanges, type StateView } from "./state";
import { outstandingMinor } from "./claims";
import { isOperatorRole } from "./roles";
import { invariant, InvariantViolation } from "./outcome";
import { isLiveIssuance, isLiveState, KEY_ROLES, type Claim, type FinancingPolicy, type SigningKey, type StateChange } from "./types";

function checkPiece(claim: Claim, root: Claim, byId: ReadonlyMap<string, Claim>): void {
  const where = `claim ${claim.id}`;
  invariant(claim.rootId === root.id, `${where}: listed under root ${root.id} but has rootId ${claim.rootId}`);
  invariant(claim.amountMinor > 0n, `${where}: amount must be positive`);
  invariant(claim.settledMinor >= 0n && claim.settledMinor <= claim.amountMinor, `${where}: settled out of range`);
  invariant(
    claim.issuerOrgId === root.issuerOrgId &&
      claim.creditLineId === root.creditLineId &&
      claim.currency === root.currency &&
      claim.maturityDate === root.maturityDate,
    `${where}: differs from its root in issuer, credit line, currency or maturity`,
  );
  invariant((claim.offeredToOrgId !== null) === (claim.state === "offered"), `${where}: offer without "offered" state`);
  invariant(claim.offeredToOrgId !== claim.holderOrgId, `${where}: offered to its own holder`);
  invariant(claim.state !== "settled" || claim.settledMinor === claim.amountMinor, `${where}: settled but unpaid`);
  invariant(!isLiveState(claim.state) || claim.settledMinor < claim.amountMinor, `${where}: live but fully paid`);
  invariant(
    claim.state !== "financed" || (claim.financedOnce && claim.activeFinancingId === null),
    `${where}: financed without financedOnce, or still in financing`,
  );
  if (claim.id === root.id) return;
  const parent = claim.parentId === null ? undefined : byId.get(claim.parentId);
  invariant(parent !== undefined && parent.state === "split", `${where}: parent missing or not split`);
  invariant(claim.depth === parent.depth || claim.depth === parent.depth + 1, `${where}: depth not parent's or +1`);
  invariant(claim.rootRepaidMinor === 0n && claim.documents === null, `${where}: root-only fields on a piece`);
}

function checkSplitSums(claims: readonly Claim[]): void {
  const childSums = new Map<string, bigint>();
  for (const claim of claims) {
    if (claim.parentId !== null) childSums.set(claim.parentId, (childSums.get(claim.parentId) ?? 0n) + claim.amountMinor);
  }
  for (const claim of claims) {
    const childSum = childSums.get(claim.id);
    invariant((claim.state === "split") === (childSum !== undefined), `claim ${claim.id}: split exactly when it has children`);
    if (childSum !== undefined) {
      invariant(childSum === outstandingMinor(claim), `claim ${claim.id}: children do not sum to it`);
    }
  }
}

function checkPledges(view: StateView, claims: readonly Claim[]): void {
  for (const claim of claims) {
    const pledge = view.getActivePledge(claim.id);
    if (claim.state === "pledged") {
      invariant(pledge !== undefined, `claim ${claim.id}: pledged without an active pledge`);
    }
    if (pledge !== undefined) {
      invariant(pledge.claimId === claim.id, `pledge ${pledge.id}: returned for another claim`);
      invariant(
        claim.state === "pledged" || claim.state === "overdue",
        `claim ${claim.id}: active pledge ${pledge.id} on a claim in state ${claim.state}`,
      );
    }
    if (view instanceof OverlayView) {
      invariant(view.countActivePledges(claim.id) <= 1, `claim ${claim.id}: more than one active pledge`);
    }
  }
}

/**
 * Asserts every per-issuance invariant of the root `rootId`. The claims are checked in
 * whatever order the view holds them; only when one fails are they checked again in id
 * order, so the violation reported is always the first in id order, whatever the view.
 */
export function assertRootInvariants(view: StateView, rootId: string): void {
  try {
    checkRoot(view, rootId, view.getClaimsByRootUnordered(rootId));
  } catch (error) {
    if (error instanceof InvariantViolation) checkRoot(view, rootId, view.getClaimsByRoot(rootId));
    throw error;
  }
}

function checkRoot(view: StateView, rootId: string, claims: readonly Claim[]): void {
  const byId = new Map(claims.map((claim) => [claim.id, claim]));
  const root = byId.get(rootId);
  invariant(root !== undefined, `root ${rootId}: missing from its own tree`);
  invariant(root.parentId === null && root.depth === 1 && root.documents !== null, `root ${rootId}: malformed root`);
  for (const claim of claims) checkPiece(claim, root, byId);
  checkSplitSums(claims);
  checkPledges(view, claims);
  let liveOutstandingMinor = 0n;
  let settledMinor = 0n;
  for (const claim of claims) {
    settledMinor += claim.settledMinor;
    if (isLiveState(claim.state)) liveOutstandingMinor += outstandingMinor(claim);
  }
  invariant(settledMinor === root.rootRepaidMinor, `root ${rootId}: settled pieces do not add up to repaid`);
  if (root.state === "rejected" || root.state === "withdrawn") {
    invariant(claims.length === 1 && root.rootRepaidMinor === 0n, `root ${rootId}: cancelled issuance has activity`);
    return;
  }
  invariant(
    liveOutstandingMinor + root.rootRepaidMinor === root.amountMinor,
    `root ${rootId}: outstanding ${liveOutstandingMinor} + repaid ${root.rootRepaidMinor} != face ${root.amountMinor}`,
  );
}

function assertOtherInvariants(view: StateView, changes: readonly StateChange[]): void {
  for (const change of changes) {
    if (change.kind === "creditLine") {
      const line = view.getCreditLine(change.value.id);
      invariant(line !== undefined, `credit line ${change.value.id}: missing`);
      invariant(line.usedMinor >= 0n && line.usedMinor <= line.limitMinor, `credit line ${line.id}: used out of range`);
    } else if (change.kind === "key") {
      const key = change.value;
      invariant((key.status === "revoked") === (key.revokedAtMs !== null), `key ${key.keyId}: revocation time`);
      invariant(view.getOrg(key.orgId) !== undefined, `key ${key.keyId}: organisation ${key.orgId} unknown`);
      invariant((KEY_ROLES as readonly string[]).includes(key.role), `key ${key.keyId}: role ${key.role} is not a key role`);
      invariant(publicKeyFitsScheme(key), `key ${key.keyId}: public key does not fit its scheme`);
      invariant(!isOperatorRole(key.role) || view.getOrg(key.orgId)?.role === "operator", `key ${key.keyId}: operator role ${key.role} outside the operator's organisation`);
    } else if (change.kind === "approvalPolicy") {
      const policy = change.value;
      invariant(policy.keyChangeAdmins === 1 || policy.keyChangeAdmins === 2, `approval policy ${policy.orgId}: key changes need 1 or 2 admins`);
      invariant(policy.approvalAboveMinor === null || policy.approvalAboveMinor >= 0n, `approval policy ${policy.orgId}: negative threshold`);
    } else if (change.kind === "pledge") {
      const claim = view.getClaim(change.value.claimId);
      invariant(claim !== undefined, `pledge ${change.value.id}: claim missing`);
    } else if (change.kind === "policy") {
      assertPolicyInvariants(view, change.value);
    } else if (change.kind === "claim") {
      assertInvoiceInvariant(view, change.value);
      const reference = change.value.documents?.reference;
      invariant(reference === undefined || (countCharacters(reference) >= 1 && countCharacters(reference) <= 80), `claim ${change.value.id}: trade reference length out of range`);
    }
  }
}

/** An Ed25519 key is 32 bytes of hex; a passkey's P-256 key is compressed (02/03 and 32 bytes). */
function publicKeyFitsScheme(key: SigningKey): boolean {
  return key.webauthn === null ? /^[0-9a-f]{64}$/.test(key.publicKeyHex) : /^0[23][0-9a-f]{64}$/.test(key.publicKeyHex);
}

/** Characters as PostgreSQL's char_length counts them: code points, not UTF-16 units. */
function countCharacters(text: string): number {
  return [...text].length;
}

/**
 * A root that becomes live must be the only live issuance of its invoice. Only a root that
 * was not live before can add one (an issuance, in practice: cancelled and repaid roots never
 * come back), so only then is the invoice looked up, which the service prefetches for claim.issue.
 */
function assertInvoiceInvariant(view: StateView, claim: Claim): void {
  const invoice = claim.documents?.invoiceSha256;
  if (invoice === undefined || !isLiveIssuance(claim) || !(view instanceof OverlayView) || view.wasLiveIssuance(claim.id)) return;
  const live = view.liveIssuancesByInvoice(invoice);
  invariant(live.length <= 1, `root ${claim.id}: invoice ${invoice} backs more than one live issuance (${live.map((root) => root.id).join(", ")})`);
}

function assertPolicyInvariants(view: StateView, policy: FinancingPolicy): void {
  const where = `policy ${policy.id}`;
  invariant(policy.maxAmountMinor > 0n && policy.maxDepth >= 1 && policy.feeMinor >= 0n, `${where}: limits out of range`);
  invariant((policy.status === "active") === (policy.endedTxId === null), `${where}: ended exactly when not active`);
  // Ending a policy cannot add an active one; only a newly active policy needs the count.
  if (policy.status === "active" && view instanceof OverlayView) {
    const active = view.countActivePolicies(policy.lenderOrgId, policy.coreEnterpriseOrgId);
    invariant(active <= 1, `${where}: more than one active policy for ${policy.lenderOrgId} and ${policy.coreEnterpriseOrgId}`);
  }
}

function touchedRootIds(view: StateView, changes: readonly StateChange[]): string[] {
  const rootIds = new Set<string>();
  for (const change of changes) {
    if (change.kind === "claim") rootIds.add(change.value.rootId);
    if (change.kind === "pledge") {
      const claim = view.getClaim(change.value.claimId);
      if (claim !== undefined) rootIds.add(claim.rootId);
    }
  }
  return [...rootIds];
}

/**
 * Asserts the invariants of everything `changes` (made by transaction `txId`) touch, first
 * on `base` (so corrupted stored state is named as such rather than blamed on the
 * transition) and then on the state after the changes. Throws InvariantViolation.
 */
export function assertTransitionInvariants(base: StateView, changes: readonly StateChange[], txId: string): void {
  const after = new OverlayView(base, changes, txId);
  const rootIds = touchedRootIds(after, changes);
  for (const rootId of rootIds) {
    // A base issuance this process checked after its last change needs no second check.
    const checked = base instanceof MemoryState && base.hasCheckedRoot(rootId);
    if (!after.isNewClaim(rootId) && !checked) assertRootInvariants(base, rootId);
    assertRootInvariants(after, rootId);
  }
  assertOtherInvariants(after, changes);
  vouchForChanges(base, changes, rootIds);
}
