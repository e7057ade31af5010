/*
 * The operator's checkpoint key by role (issue 14, deliverable 5): a witness checks a
 * checkpoint's signature against the checkpoint key in force at the checkpoint's size, which
 * it learns by replaying the log's key entries from the pinned genesis key. A key rotated by
 * a signed key.rotate is accepted from its entry on; the retired key is refused after it, as
 * is the genesis (admin) key once a checkpoint key is registered. A real Witness over an
 * in-memory PGlite store (no ports), the log built by the contracts (test/unit/log-builder.ts).
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { identityFor, type SigningIdentity } from "@/contracts/client";
import { hexToBytes } from "@/contracts/hex";
import { logEntryLeafHash } from "@/contracts/log";
import { consistencyProof } from "@/contracts/merkle";
import { NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey } from "@/contracts/note";
import { formatCheckpointBody, signCheckpointNote, stateRootExtension } from "@/contracts/tlog-checkpoint";
import { formatAddCheckpointRequest } from "@/contracts/tlog-witness";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { openWitnessStore, type WitnessStore } from "@/server/witness/store";
import { Witness } from "@/server/witness/witness";
import { LogBuilder, NOTE_ORIGIN } from "../unit/log-builder";

const OPERATOR_ORG = "org_operator";
const key = () => identityFor(OPERATOR_ORG, new Uint8Array(randomBytes(32)));
const stores: WitnessStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

/** The operator's log with its genesis, and a witness that pins the genesis key and follows it. */
async function start() {
  const admin = key();
  const log = new LogBuilder(admin, { notes: true });
  const operatorBody = (who: SigningIdentity & { publicKeyHex: string }, keyRole: "admin" | "checkpoint" | "overdue") => ({
    orgId: OPERATOR_ORG,
    orgName: "Operator",
    role: "operator" as const,
    publicKeyHex: who.publicKeyHex,
    keyId: who.keyId,
    keyRole,
    holderUserId: `usr_operator_${keyRole}`,
  });
  log.block(log.sign(admin, "key.register", operatorBody(admin, "admin")));
  const store = await openWitnessStore({ dataDir: null, databaseUrl: null });
  stores.push(store);
  const witness = await Witness.open({
    name: "witness.rotation.example",
    origin: NOTE_ORIGIN,
    logKey: noteVerifierKey(NOTE_ORIGIN, NOTE_SIGNATURE_TYPE_ED25519, hexToBytes(admin.publicKeyHex, 32)),
    logSource: { entries: async (start, end) => log.entries.slice(start, end) },
    store,
    verifier: nodeVerifier,
  });
  /** The latest block's checkpoint, signed by `privateKey`, sent to the witness from what it cosigned last. */
  const send = (privateKey: Uint8Array) => {
    const size = log.entries.length;
    const body = { origin: NOTE_ORIGIN, size, rootHash: log.frontier.root(), extensions: [stateRootExtension(log.lastStateRoot!)] };
    expect(formatCheckpointBody(body)).toBe(log.notes.at(-1)!.split("\n\n")[0] + "\n");
    const oldSize = witness.size;
    const proof = oldSize === 0 ? [] : consistencyProof(log.entries.map(logEntryLeafHash), oldSize).slice();
    return witness.addCheckpoint(formatAddCheckpointRequest({ oldSize, consistencyProof: oldSize === 0 ? [] : proof, checkpointNote: signCheckpointNote(body, privateKey) }));
  };
  return { admin, log, witness, send, operatorBody };
}

describe("a witness follows the operator's checkpoint key through its key entries", () => {
  it("accepts the genesis key until a checkpoint key is registered, then only that key", async () => {
    const { admin, log, witness, send, operatorBody } = await start();
    expect((await send(admin.privateKey)).status).toBe(200);
    const checkpointKey = key();
    log.block(log.sign(checkpointKey, "key.register", operatorBody(checkpointKey, "checkpoint"), [admin]));
    // The block that registers the checkpoint key closes at a size where it is in force.
    const byAdmin = await send(admin.privateKey);
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body).toMatch(/checkpoint key in force at size 2/);
    expect(witness.size).toBe(1);
    expect((await send(checkpointKey.privateKey)).status).toBe(200);
    expect(witness.size).toBe(2);
  });

  it("accepts a rotated checkpoint key from its key.rotate on, and refuses the retired key after it", async () => {
    const { admin, log, witness, send, operatorBody } = await start();
    const first = key();
    log.block(log.sign(first, "key.register", operatorBody(first, "checkpoint"), [admin]));
    expect((await send(first.privateKey)).status).toBe(200);
    const next = key();
    // Signed by the key it replaces, cosigned by its successor (contracts/ledger/keys.ts applyKeyRotate).
    log.block(log.sign(first, "key.rotate", { orgId: OPERATOR_ORG, oldKeyId: first.keyId, newKeyId: next.keyId, newPublicKeyHex: next.publicKeyHex }, [next]));
    const retired = await send(first.privateKey);
    expect(retired.status).toBe(403);
    expect(retired.body).toMatch(/checkpoint key in force at size 3/);
    // The refused replay was undone: the witness is where it was, and the same block signed by the new key is cosigned.
    expect(witness.size).toBe(2);
    expect((await send(next.privateKey)).status).toBe(200);
    expect(witness.size).toBe(3);
    // A later block: the retired key is still refused, the new key still signs.
    const secondAdmin = key();
    log.block(log.sign(secondAdmin, "key.register", operatorBody(secondAdmin, "admin"), [admin]));
    expect((await send(first.privateKey)).status).toBe(403);
    expect(witness.size).toBe(3);
    expect((await send(next.privateKey)).status).toBe(200);
    expect(witness.size).toBe(4);
    expect(await witness.evidence()).toEqual([]);
  });

  it("refuses a checkpoint signed by the operator's overdue key, whose one duty is overdue marks", async () => {
    const { admin, log, witness, send, operatorBody } = await start();
    const overdue = key();
    log.block(log.sign(overdue, "key.register", operatorBody(overdue, "overdue"), [admin]));
    const refused = await send(overdue.privateKey);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/checkpoint key in force at size 2/);
    expect(witness.size).toBe(0);
    // The admin (genesis) key still holds the checkpoint duty: the operator has no checkpoint key.
    expect((await send(admin.privateKey)).status).toBe(200);
    expect(witness.size).toBe(2);
  });

  it("refuses a checkpoint signed by a key the log never registered", async () => {
    const { send } = await start();
    const refused = await send(key().privateKey);
    expect(refused.status).toBe(403);
  });
});
