/**
 * Ed25519 through WebCrypto (crypto.subtle), which current Chrome, Firefox and Safari ship
 * natively: a bundle's signatures are checked while the replay runs, at native speed instead of one by
 * one in @noble/curves (about 1.2 ms each). It answers exactly as strictly as the server's
 * verifier: malformed lengths are false, and a key must pass isAcceptablePublicKey (a
 * canonical point of prime order) before WebCrypto sees it, as in server/crypto/node-verifier.ts.
 * Where WebCrypto has no Ed25519 (an older browser), every check falls back to @noble/curves.
 * test/unit/signing.test.ts holds it to the golden vectors next to the other verifiers.
 */
import { bytesToHex } from "@/contracts/hex";
import { hasLengths, isAcceptablePublicKey, nobleVerifier, type BatchSignatureVerifier, type SignatureToCheck } from "@/contracts/signing";

const KEY_CACHE_LIMIT = 1024;

export function createWebCryptoVerifier(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): BatchSignatureVerifier {
  const keys = new Map<string, Promise<CryptoKey | null>>();
  let supported = subtle !== undefined;

  /** The imported key, or null when WebCrypto cannot do Ed25519 here (then noble answers). */
  function importKey(publicKey: Uint8Array): Promise<CryptoKey | null> {
    const hex = bytesToHex(publicKey);
    let key = keys.get(hex);
    if (key === undefined) {
      key = (subtle as SubtleCrypto).importKey("raw", Uint8Array.from(publicKey), { name: "Ed25519" }, false, ["verify"]).catch(() => {
        supported = false; // an acceptable key that does not import: no Ed25519 in this WebCrypto
        return null;
      });
      if (keys.size >= KEY_CACHE_LIMIT) keys.delete(keys.keys().next().value as string);
      keys.set(hex, key);
    }
    return key;
  }

  async function verifyOne({ publicKey, message, signature }: SignatureToCheck): Promise<boolean> {
    if (!hasLengths(publicKey, message, signature) || !isAcceptablePublicKey(publicKey)) return false;
    const key = supported ? await importKey(publicKey) : null;
    if (key === null) return nobleVerifier(publicKey, message, signature);
    try {
      return await (subtle as SubtleCrypto).verify({ name: "Ed25519" }, key, Uint8Array.from(signature), Uint8Array.from(message));
    } catch {
      return false;
    }
  }

  return () => {
    const pending: Promise<boolean>[] = [];
    return { add: (check) => void pending.push(verifyOne(check)), answers: () => Promise.all(pending) };
  };
}
