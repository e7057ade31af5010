/**
 * Ed25519 checks spread over worker threads (node:crypto in each), as a BatchSignatureVerifier
 * (contracts/signing.ts): a full replay hands every signature to the pool as it meets it and
 * goes on, so the checks run on the other cores while the replay runs on this one.
 *
 * It answers exactly as nodeVerifier does: malformed lengths and keys that are not canonical
 * points of prime order (isAcceptablePublicKey, remembered per key) are answered false here
 * (an over-long message by nodeVerifier itself), and only the rest go to a worker (server/crypto/verify-worker.mjs). Checks travel in packed
 * chunks, so one message carries hundreds of them.
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { hasLengths, isAcceptablePublicKey, type BatchSignatureVerifier, type SignatureToCheck } from "@/contracts/signing";
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES } from "@/contracts/hex";
import { nodeVerifier } from "./node-verifier";

const CHUNK_CHECKS = 512;
const MAX_MESSAGE_BYTES = 0xffff;

export interface VerifyPool {
  verifier: BatchSignatureVerifier;
  close(): Promise<void>;
}

/** One thread fewer than the cores (the replay has one), and at least one. */
export function defaultVerifyThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

export function openVerifyPool(threads = defaultVerifyThreads()): VerifyPool {
  const workers = Array.from({ length: threads }, () => new Worker(new URL("./verify-worker.mjs", import.meta.url)));
  let closing = false;
  const waiting = new Map<number, { resolve: (answers: Uint8Array) => void; reject: (error: unknown) => void }>();
  for (const worker of workers) {
    worker.on("message", ({ id, answers }: { id: number; answers: Uint8Array }) => {
      waiting.get(id)?.resolve(answers);
      waiting.delete(id);
    });
    // A worker that dies takes its chunks with it: every waiting batch fails rather than hangs.
    const failAll = (error: unknown) => {
      for (const pending of waiting.values()) pending.reject(error);
      waiting.clear();
    };
    worker.on("error", failAll);
    worker.on("exit", (code) => {
      if (!closing) failAll(new Error(`signature worker exited (code ${code})`));
    });
  }
  let nextChunkId = 0;

  /** Sends one chunk to the next worker; resolves with its answers. */
  function send(checks: readonly SignatureToCheck[]): Promise<Uint8Array> {
    const size = checks.reduce((sum, check) => sum + 2 + ED25519_PUBLIC_KEY_BYTES + ED25519_SIGNATURE_BYTES + check.message.length, 0);
    const packed = new Uint8Array(size);
    let offset = 0;
    for (const { publicKey, message, signature } of checks) {
      packed[offset] = message.length & 0xff;
      packed[offset + 1] = message.length >>> 8;
      packed.set(publicKey, offset + 2);
      packed.set(signature, offset + 2 + ED25519_PUBLIC_KEY_BYTES);
      packed.set(message, offset + 2 + ED25519_PUBLIC_KEY_BYTES + ED25519_SIGNATURE_BYTES);
      offset += 2 + ED25519_PUBLIC_KEY_BYTES + ED25519_SIGNATURE_BYTES + message.length;
    }
    const id = nextChunkId++;
    const worker = workers[id % workers.length] as Worker;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, count: checks.length, packed: packed.buffer }, [packed.buffer]);
    });
  }

  const verifier: BatchSignatureVerifier = () => {
    const answers: boolean[] = [];
    const chunks: Promise<void>[] = [];
    let chunk: SignatureToCheck[] = [];
    let chunkIndexes: number[] = [];
    const flush = () => {
      if (chunk.length === 0) return;
      const indexes = chunkIndexes;
      chunks.push(send(chunk).then((chunkAnswers) => indexes.forEach((index, i) => (answers[index] = chunkAnswers[i] === 1))));
      chunk = [];
      chunkIndexes = [];
    };
    return {
      add(check) {
        const index = answers.push(false) - 1;
        if (!hasLengths(check.publicKey, check.message, check.signature) || !isAcceptablePublicKey(check.publicKey)) return;
        if (check.message.length > MAX_MESSAGE_BYTES) {
          answers[index] = nodeVerifier(check.publicKey, check.message, check.signature);
          return;
        }
        chunk.push(check);
        chunkIndexes.push(index);
        if (chunk.length >= CHUNK_CHECKS) flush();
      },
      async answers() {
        flush();
        await Promise.all(chunks);
        return answers;
      },
    };
  };

  return {
    verifier,
    close: async () => {
      closing = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/** Runs `run` with a pool that is closed afterwards, whatever happens. */
export async function withVerifyPool<R>(run: (verifier: BatchSignatureVerifier) => Promise<R>, threads?: number): Promise<R> {
  const pool = openVerifyPool(threads);
  try {
    return await run(pool.verifier);
  } finally {
    await pool.close();
  }
}
