/**
 * SHA-256 through node:crypto (OpenSSL) for the contracts on the server: 2-9 times as fast
 * as @noble/hashes on the ledger's inputs (65-byte Merkle nodes to kilobyte log entries).
 * It is installed explicitly (installNodeSha256: by createRuntime, and by the scripts at their
 * start), never by importing this module; test/unit/canonical.test.ts checks it agrees with
 * @noble/hashes. Bytes come back as a plain Uint8Array view, not a Buffer.
 */
import * as nodeCrypto from "node:crypto";
import { setSha256, type Sha256 } from "@/contracts/canonical";

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: "buffer") => Buffer;
const oneShot = (nodeCrypto as unknown as { hash?: OneShotHash }).hash;

export const nodeSha256: Sha256 = (bytes) => {
  const digest = oneShot ? oneShot("sha256", bytes, "buffer") : nodeCrypto.createHash("sha256").update(bytes).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
};

/**
 * Makes the contracts hash with node:crypto in this module graph. The contracts keep one
 * hash function (contracts/canonical.ts setSha256) rather than taking it as an argument on
 * every call, because every id, leaf and Merkle node goes through it. Installing it twice
 * is harmless (an assignment), which matters under Next.js: its bundles may each evaluate
 * their own copy of contracts/canonical.ts, so the entry installs it in each.
 */
export function installNodeSha256(): void {
  setSha256(nodeSha256);
}
