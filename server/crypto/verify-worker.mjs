// Worker thread of server/crypto/verify-pool.ts: checks packed Ed25519 signatures with
// node:crypto (OpenSSL). Plain JavaScript with no imports but node's own, so it starts the
// same under tsx, vitest and node. Each check in a chunk is laid out as
// [message length: u16 LE][public key: 32][signature: 64][message]; the answer is one byte
// per check (1 = valid). Keys arrive already found acceptable (prime order) by the pool.
import { createPublicKey, verify } from "node:crypto";
import { parentPort } from "node:worker_threads";

const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const KEY_CACHE_LIMIT = 4096;
const keys = new Map();

function keyObject(publicKey) {
  const hex = publicKey.toString("hex");
  let key = keys.get(hex);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: "der", type: "spki" });
    } catch {
      key = null;
    }
    if (keys.size >= KEY_CACHE_LIMIT) keys.delete(keys.keys().next().value);
    keys.set(hex, key);
  }
  return key;
}

parentPort.on("message", ({ id, count, packed }) => {
  const bytes = Buffer.from(packed);
  const answers = new Uint8Array(count);
  for (let i = 0, offset = 0; i < count; i++) {
    const length = bytes.readUInt16LE(offset);
    const publicKey = bytes.subarray(offset + 2, offset + 34);
    const signature = bytes.subarray(offset + 34, offset + 98);
    const message = bytes.subarray(offset + 98, offset + 98 + length);
    offset += 98 + length;
    const key = keyObject(publicKey);
    try {
      answers[i] = key !== null && verify(null, message, key, signature) ? 1 : 0;
    } catch {
      answers[i] = 0;
    }
  }
  parentPort.postMessage({ id, answers }, [answers.buffer]);
});
