/**
 * What the state map holds (issue 13): one leaf per claim and one per organisation, each the
 * SHA-256 of the RFC 8785 bytes of a small, versioned document built from the contracts'
 * state. A checkpoint's state root commits to all of them, so a bundle that proves a claim's
 * leaf proves "held by X, not pledged, never financed, matures on D" at that checkpoint, and
 * an organisation's leaf proves which keys could sign for it.
 *
 *   key "claim:" + id -> ClaimStateLeaf      key "org:" + id -> OrgStateLeaf (its keys with role and holder)
 *
 * The leaves carry what a lender decides on and nothing else; everything in them is derived
 * from Claim, Pledge, Organisation and SigningKey, so a replay of the log yields the same
 * root as the server's tables. `StateMapUpdater` keeps a map current from the StateChanges
 * that apply() returns, which is how a witness (and closeBlock) follows the log.
 */
import { canonicalBytes, sha256Bytes } from "./canonical";
import { bytesToHex } from "./hex";
import { StateMap, stateKey, type StateMapEntry, type StateMapStore } from "./state-map";
import type { MemoryState } from "./ledger/state";
import type { WebAuthnKeyParameters } from "./webauthn";
import type { Claim, ClaimState, Currency, KeyRole, Organisation, OrganisationRole, Pledge, SigningKey, StateChange } from "./ledger/types";

export const STATE_LEAF_VERSION = 1;

export interface ClaimStateLeaf {
  kind: "claim";
  version: typeof STATE_LEAF_VERSION;
  claimId: string;
  /** The issuance this piece comes from (the root claim's id). */
  rootId: string;
  issuerOrgId: string;
  holderOrgId: string;
  offeredToOrgId: string | null;
  state: ClaimState;
  amountMinor: bigint;
  /** What is still owed on this piece: face value minus what was repaid to its holder. */
  outstandingMinor: bigint;
  currency: Currency;
  maturityDate: string;
  activePledge: { pledgeId: string; lenderOrgId: string } | null;
  activeFinancingId: string | null;
  financedOnce: boolean;
}

/**
 * Version 2 of the organisation's leaf: every active key names its role and the person who
 * holds it (issue 14), so a witness that replays the log checks who could sign what, and a
 * state proof tells a lender which person's key of which role signed.
 */
export const ORG_STATE_LEAF_VERSION = 2;

export interface OrgStateLeaf {
  kind: "org";
  version: typeof ORG_STATE_LEAF_VERSION;
  orgId: string;
  role: OrganisationRole;
  /** The organisation's active keys, ordered by keyId. */
  activeKeys: OrgLeafKey[];
}

/**
 * One active key in an organisation's leaf. A passkey carries its WebAuthn parameters (rpId,
 * origins), so a witness or a browser checking the leaf knows where it may sign; an Ed25519
 * key has no such field, so leaves without passkeys hash as they did before passkeys.
 */
export interface OrgLeafKey {
  keyId: string;
  publicKeyHex: string;
  role: KeyRole;
  holderUserId: string;
  webauthn?: WebAuthnKeyParameters;
}

/**
 * The leaf of a claim. `activePledge` is the claim's active pledge (StateView.getActivePledge),
 * passed explicitly because it lives in its own table: forgetting it must not compile.
 */
export function claimStateLeaf(claim: Claim, activePledge: Pledge | undefined): ClaimStateLeaf {
  if (activePledge !== undefined && (activePledge.claimId !== claim.id || activePledge.status !== "active")) {
    throw new Error(`pledge ${activePledge.id} is not an active pledge of claim ${claim.id}`);
  }
  return {
    kind: "claim",
    version: STATE_LEAF_VERSION,
    claimId: claim.id,
    rootId: claim.rootId,
    issuerOrgId: claim.issuerOrgId,
    holderOrgId: claim.holderOrgId,
    offeredToOrgId: claim.offeredToOrgId,
    state: claim.state,
    amountMinor: claim.amountMinor,
    outstandingMinor: claim.amountMinor - claim.settledMinor,
    currency: claim.currency,
    maturityDate: claim.maturityDate,
    activePledge: activePledge === undefined ? null : { pledgeId: activePledge.id, lenderOrgId: activePledge.lenderOrgId },
    activeFinancingId: claim.activeFinancingId,
    financedOnce: claim.financedOnce,
  };
}

/** The leaf of an organisation; `keys` may hold any keys, only its active ones count. */
export function orgStateLeaf(org: Organisation, keys: readonly SigningKey[]): OrgStateLeaf {
  const activeKeys = keys
    .filter((key) => key.orgId === org.id && key.status === "active")
    .map((key): OrgLeafKey => {
      const leafKey: OrgLeafKey = { keyId: key.keyId, publicKeyHex: key.publicKeyHex, role: key.role, holderUserId: key.holderUserId };
      return key.webauthn === null ? leafKey : { ...leafKey, webauthn: key.webauthn };
    })
    .sort((left, right) => (left.keyId < right.keyId ? -1 : left.keyId > right.keyId ? 1 : 0));
  return { kind: "org", version: ORG_STATE_LEAF_VERSION, orgId: org.id, role: org.role, activeKeys };
}

export function claimStateKey(claimId: string): Uint8Array {
  return stateKey("claim", claimId);
}

export function orgStateKey(orgId: string): Uint8Array {
  return stateKey("org", orgId);
}

/** The value hash the map stores for a leaf: SHA-256 of its canonical bytes. */
export function stateLeafValueHash(leaf: ClaimStateLeaf | OrgStateLeaf): Uint8Array {
  return sha256Bytes(canonicalBytes(leaf));
}

/** The parts of the state the map is computed from: a MemoryState, or plain lists. */
export interface PlainState {
  orgs: readonly Organisation[];
  keys: readonly SigningKey[];
  claims: readonly Claim[];
  pledges: readonly Pledge[];
}

/** The state root of a whole state, built from scratch. */
export function stateRootOf(state: MemoryState | PlainState): Uint8Array {
  const plain = toPlainState(state);
  const map = new StateMap();
  const activePledges = new Map<string, Pledge>();
  for (const pledge of plain.pledges) if (pledge.status === "active") activePledges.set(pledge.claimId, pledge);
  for (const claim of plain.claims) map.set(claimStateKey(claim.id), stateLeafValueHash(claimStateLeaf(claim, activePledges.get(claim.id))));
  const keysByOrg = groupKeys(plain.keys);
  for (const org of plain.orgs) map.set(orgStateKey(org.id), stateLeafValueHash(orgStateLeaf(org, keysByOrg.get(org.id) ?? [])));
  return map.root();
}

export function stateRootHexOf(state: MemoryState | PlainState): string {
  return bytesToHex(stateRootOf(state));
}

function toPlainState(state: MemoryState | PlainState): PlainState {
  if (Array.isArray((state as PlainState).claims)) return state as PlainState;
  const memory = state as MemoryState;
  return { orgs: [...memory.orgs.values()], keys: [...memory.keys.values()], claims: [...memory.claims.values()], pledges: [...memory.pledges.values()] };
}

function groupKeys(keys: readonly SigningKey[]): Map<string, SigningKey[]> {
  const byOrg = new Map<string, SigningKey[]>();
  for (const key of keys) {
    const list = byOrg.get(key.orgId) ?? [];
    list.push(key);
    byOrg.set(key.orgId, list);
  }
  return byOrg;
}

/**
 * Keeps a state map equal to `stateRootOf(state)` as transactions are applied: after
 * `state.applyChanges(changes)`, call `apply(state, changes)` and only the touched leaves are
 * recomputed (a claim, the claim of a pledge, an organisation, the organisation of a key).
 */
export class StateMapUpdater {
  readonly map: StateMap;
  readonly #keysByOrg = new Map<string, Map<string, SigningKey>>();

  constructor(store?: StateMapStore) {
    this.map = new StateMap(store);
  }

  /** An updater for a state that already holds rows (a restart, or a test fixture). */
  static fromState(state: MemoryState, store?: StateMapStore): StateMapUpdater {
    const updater = new StateMapUpdater(store);
    const changes: StateChange[] = [
      ...[...state.keys.values()].map((value) => ({ kind: "key", value }) as const),
      ...[...state.orgs.values()].map((value) => ({ kind: "org", value }) as const),
      ...[...state.claims.values()].map((value) => ({ kind: "claim", value }) as const),
    ];
    updater.apply(state, changes);
    return updater;
  }

  /** Recomputes the leaves `changes` touched, reading their current rows from `state`. */
  apply(state: MemoryState, changes: readonly StateChange[]): void {
    const claimIds = new Set<string>();
    const orgIds = new Set<string>();
    for (const change of changes) {
      if (change.kind === "claim") claimIds.add(change.value.id);
      else if (change.kind === "pledge") claimIds.add(change.value.claimId);
      else if (change.kind === "org") orgIds.add(change.value.id);
      else if (change.kind === "key") {
        this.#rememberKey(change.value);
        orgIds.add(change.value.orgId);
      }
    }
    const entries: StateMapEntry[] = [];
    for (const claimId of claimIds) entries.push(this.#claimEntry(state, claimId));
    for (const orgId of orgIds) entries.push(this.#orgEntry(state, orgId));
    this.map.setMany(entries);
  }

  root(): Uint8Array {
    return this.map.root();
  }

  #rememberKey(key: SigningKey): void {
    const keys = this.#keysByOrg.get(key.orgId) ?? new Map<string, SigningKey>();
    keys.set(key.keyId, key);
    this.#keysByOrg.set(key.orgId, keys);
  }

  #claimEntry(state: MemoryState, claimId: string): StateMapEntry {
    const claim = state.getClaim(claimId);
    if (claim === undefined) throw new Error(`a change names claim ${claimId}, which the state does not hold`);
    return { keyHash: claimStateKey(claimId), valueHash: stateLeafValueHash(claimStateLeaf(claim, state.getActivePledge(claimId))) };
  }

  #orgEntry(state: MemoryState, orgId: string): StateMapEntry {
    const org = state.getOrg(orgId);
    if (org === undefined) throw new Error(`a change names organisation ${orgId}, which the state does not hold`);
    const keys = [...(this.#keysByOrg.get(orgId)?.values() ?? [])].map((key) => state.getKey(key.keyId) ?? key);
    return { keyHash: orgStateKey(orgId), valueHash: stateLeafValueHash(orgStateLeaf(org, keys)) };
  }
}
