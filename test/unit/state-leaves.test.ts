/**
 * State leaves and the state root (contracts/state-leaves.ts) and the log follower that keeps
 * them current (contracts/log-follower.ts), on a ledger built with the contracts.
 */
import { describe, expect, it } from "vitest";
import { canonicalJson } from "@/contracts/canonical";
import { bytesToHex } from "@/contracts/hex";
import { LogFollower } from "@/contracts/log-follower";
import { nobleVerifier } from "@/contracts/signing";
import { verifyStateMapProof } from "@/contracts/state-map";
import {
  claimStateKey,
  claimStateLeaf,
  orgStateKey,
  orgStateLeaf,
  StateMapUpdater,
  stateLeafValueHash,
  stateRootOf,
} from "@/contracts/state-leaves";
import { MemoryState } from "@/contracts/ledger/state";
import { bank, buildTrustLog, operator, s1, s1Rotated } from "./trust-fixtures";

const { log, claimIds } = buildTrustLog();

describe("LogFollower", () => {
  it("keeps the incremental state root equal to the root built from scratch after every entry", () => {
    const follower = new LogFollower(nobleVerifier);
    for (const entry of log.entries) {
      expect(follower.append(entry)).toBeNull();
      expect(bytesToHex(follower.stateRoot())).toBe(bytesToHex(stateRootOf(follower.state)));
    }
    expect(bytesToHex(follower.logRoot())).toBe(bytesToHex(log.frontier.root()));
    expect(bytesToHex(follower.stateRoot())).toBe(bytesToHex(stateRootOf(log.state)));
    expect(bytesToHex(StateMapUpdater.fromState(log.state).root())).toBe(bytesToHex(follower.stateRoot()));
  });

  it("gives the same state root, log root and leaf hashes whether it takes the log entry by entry or in batches of any size", () => {
    const oneByOne = new LogFollower(nobleVerifier);
    const rootsByEntry: string[] = [];
    for (const entry of log.entries) {
      expect(oneByOne.append(entry)).toBeNull();
      rootsByEntry.push(bytesToHex(oneByOne.stateRoot()));
    }
    for (const batchSize of [2, 3, 7, log.entries.length]) {
      const batched = new LogFollower(nobleVerifier);
      const leaves: Uint8Array[] = [];
      for (let start = 0; start < log.entries.length; start += batchSize) {
        expect(batched.appendAll(log.entries.slice(start, start + batchSize), (leaf) => leaves.push(leaf))).toBeNull();
        expect(bytesToHex(batched.stateRoot())).toBe(rootsByEntry[batched.size - 1]);
      }
      expect(leaves).toHaveLength(log.entries.length);
      expect(bytesToHex(batched.logRoot())).toBe(bytesToHex(oneByOne.logRoot()));
      expect(bytesToHex(batched.stateRoot())).toBe(bytesToHex(stateRootOf(log.state)));
    }
  });

  it("keeps the state map of the entries before a failing one in the same batch", () => {
    const follower = new LogFollower(nobleVerifier);
    const failure = follower.appendAll([...log.entries.slice(0, 6), log.entries[7]!]);
    expect(failure?.code).toBe("leaf_out_of_order");
    expect(follower.size).toBe(6);
    expect(bytesToHex(follower.stateRoot())).toBe(bytesToHex(stateRootOf(follower.state)));
  });

  it("names the entry a tampered log goes wrong at, and keeps nothing of it", () => {
    const follower = new LogFollower(nobleVerifier);
    expect(follower.appendAll(log.entries.slice(0, 5))).toBeNull();
    const rootBefore = bytesToHex(follower.stateRoot());
    expect(follower.append(log.entries[6]!)?.code).toBe("leaf_out_of_order");
    expect(follower.append({ ...log.entries[5]!, acceptedAtMs: 0 })?.code).toBe("accepted_at_decreased");
    expect(follower.append({ ...log.entries[5]!, signed: { ...log.entries[5]!.signed, transaction: { ...log.entries[5]!.signed.transaction, type: "claim.nothing" } } } as never)?.code).toBe("entry_malformed");
    const body = { ...(log.entries[5]!.signed.transaction.body as Record<string, unknown>), limitMinor: "20000000" };
    const edited = { ...log.entries[5]!, signed: { ...log.entries[5]!.signed, transaction: { ...log.entries[5]!.signed.transaction, body } } };
    expect(follower.append(edited as never)?.code).toBe("contract_refused");
    expect(follower.size).toBe(5);
    expect(bytesToHex(follower.stateRoot())).toBe(rootBefore);
  });

  it("resumes from its snapshot where it stopped, knowing who signs checkpoints, and ends with the roots and rows of a follower that never stopped", () => {
    const half = Math.floor(log.entries.length / 2);
    const first = new LogFollower(nobleVerifier, operator.publicKeyHex);
    expect(first.appendAll(log.entries.slice(0, half))).toBeNull();
    const lines = [...first.snapshotLines()];
    const resumed = LogFollower.restore(nobleVerifier, operator.publicKeyHex, lines);
    expect(resumed.size).toBe(half);
    expect(bytesToHex(resumed.stateRoot())).toBe(bytesToHex(first.stateRoot()));
    // It knows who signs checkpoints at once (a restarted witness checks the operator's signature before any new entry).
    expect(first.checkpointKeysAt(half)).toEqual([operator.publicKeyHex]);
    expect(resumed.checkpointKeysAt(half)).toEqual(first.checkpointKeysAt(half));
    // It expects the next leaf, not genesis, and refuses an entry out of place as the stopped one would.
    expect(resumed.append(log.entries[half + 1]!)?.code).toBe("leaf_out_of_order");
    expect(resumed.appendAll(log.entries.slice(half))).toBeNull();
    const straight = new LogFollower(nobleVerifier, operator.publicKeyHex);
    expect(straight.appendAll(log.entries)).toBeNull();
    expect(bytesToHex(resumed.logRoot())).toBe(bytesToHex(straight.logRoot()));
    expect(bytesToHex(resumed.stateRoot())).toBe(bytesToHex(straight.stateRoot()));
    expect(canonicalJson(resumed.state.contents() as never)).toBe(canonicalJson(straight.state.contents() as never));
    expect(() => LogFollower.restore(nobleVerifier, null, ['{"format":"something else"}'])).toThrow(/not a follower snapshot/);
  });

  it("refuses a log whose genesis registers another operator key than the pinned one", () => {
    expect(new LogFollower(nobleVerifier, operator.publicKeyHex).append(log.entries[0]!)).toBeNull();
    expect(new LogFollower(nobleVerifier, s1.publicKeyHex).append(log.entries[0]!)?.code).toBe("genesis_key_mismatch");
  });
});

describe("state leaves", () => {
  it("encode a claim's lending facts, with the active pledge passed in, in canonical JSON", () => {
    const claim = log.state.getClaim(claimIds.toS2)!;
    expect(canonicalJson(claimStateLeaf(claim, undefined))).toBe(
      canonicalJson({
        kind: "claim",
        version: 1,
        claimId: claimIds.toS2,
        rootId: claimIds.root,
        issuerOrgId: "org_core",
        holderOrgId: "org_s2",
        offeredToOrgId: null,
        state: "held",
        amountMinor: "300000",
        outstandingMinor: "300000",
        currency: "CNY",
        maturityDate: "2026-07-01",
        activePledge: null,
        activeFinancingId: claim.activeFinancingId,
        financedOnce: false,
      }),
    );
  });

  it("show a pledge while it is active, and refuse a pledge of another claim", () => {
    const pledgedState = new LogFollower(nobleVerifier);
    pledgedState.appendAll(log.entries.slice(0, 12));
    const claim = pledgedState.state.getClaim(claimIds.keptByS1)!;
    const pledge = pledgedState.state.getActivePledge(claimIds.keptByS1)!;
    expect(claimStateLeaf(claim, pledge).activePledge).toEqual({ pledgeId: pledge.id, lenderOrgId: bank.orgId });
    const other = pledgedState.state.getClaim(claimIds.toS2)!;
    expect(() => claimStateLeaf(other, pledge)).toThrow(/not an active pledge/);
  });

  it("list an organisation's active keys only, in keyId order, each with its role and holder (kept by a rotation)", () => {
    const org = log.state.getOrg(s1.orgId)!;
    const leaf = orgStateLeaf(org, [...log.state.keys.values()]);
    expect(leaf).toEqual({
      kind: "org",
      version: 2,
      orgId: "org_s1",
      role: "supplier",
      activeKeys: [{ keyId: s1Rotated.keyId, publicKeyHex: s1Rotated.publicKeyHex, role: "admin", holderUserId: "usr_org_s1" }],
    });
    expect(log.state.getKey(s1.keyId)?.status).not.toBe("active");
  });

  it("prove a claim's state and an organisation's key set against the state root", () => {
    const updater = StateMapUpdater.fromState(log.state);
    const root = updater.root();
    const claim = log.state.getClaim(claimIds.toS2)!;
    const claimValue = stateLeafValueHash(claimStateLeaf(claim, undefined));
    expect(verifyStateMapProof(root, claimStateKey(claim.id), claimValue, updater.map.prove(claimStateKey(claim.id)))).toEqual({ ok: true });
    const orgValue = stateLeafValueHash(orgStateLeaf(log.state.getOrg(s1.orgId)!, [...log.state.keys.values()]));
    expect(verifyStateMapProof(root, orgStateKey(s1.orgId), orgValue, updater.map.prove(orgStateKey(s1.orgId)))).toEqual({ ok: true });
    // A state in which the holder is someone else does not verify against this root.
    const forged = stateLeafValueHash(claimStateLeaf({ ...claim, holderOrgId: bank.orgId }, undefined));
    const check = verifyStateMapProof(root, claimStateKey(claim.id), forged, updater.map.prove(claimStateKey(claim.id)));
    expect(check.ok ? "ok" : check.code).toBe("value_mismatch");
  });

  it("give the same root for a MemoryState and for its plain lists, and a different one when one field differs", () => {
    const plain = { orgs: [...log.state.orgs.values()], keys: [...log.state.keys.values()], claims: [...log.state.claims.values()], pledges: [...log.state.pledges.values()] };
    expect(stateRootOf(plain)).toEqual(stateRootOf(log.state));
    const claims = plain.claims.map((claim) => (claim.id === claimIds.toS2 ? { ...claim, financedOnce: true } : claim));
    expect(bytesToHex(stateRootOf({ ...plain, claims }))).not.toBe(bytesToHex(stateRootOf(plain)));
    // A key's role and its holder are committed: the same key as a maker's, or another person's, is another root.
    const asMaker = plain.keys.map((key) => (key.keyId === s1Rotated.keyId ? { ...key, role: "maker" as const } : key));
    expect(bytesToHex(stateRootOf({ ...plain, keys: asMaker }))).not.toBe(bytesToHex(stateRootOf(plain)));
    const otherHolder = plain.keys.map((key) => (key.keyId === s1Rotated.keyId ? { ...key, holderUserId: "usr_someone_else" } : key));
    expect(bytesToHex(stateRootOf({ ...plain, keys: otherHolder }))).not.toBe(bytesToHex(stateRootOf(plain)));
    expect(bytesToHex(stateRootOf(new MemoryState()))).toBe(bytesToHex(new StateMapUpdater().root()));
  });
});
