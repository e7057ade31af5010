/**
 * The machine's own limits, measured the way the ledger uses them: Ed25519 verification of
 * a 32-byte digest (a transaction id) with node:crypto (the server's verifier, cached key
 * objects) and with @noble/curves (the browser's), on one thread and on every core; Ed25519
 * signing; SHA-256 throughput on large buffers and on 65-byte Merkle node inputs.
 */
import { createHash } from "node:crypto";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { sha256 } from "@noble/hashes/sha2.js";
import { nobleVerifier, publicKeyFromPrivate } from "@/contracts/signing";
import { nodeSign, nodeVerifier } from "@/server/crypto/node-verifier";
import { fmt, rate, say, section } from "./common";

export interface Limits {
  nodeVerify1: number;
  nodeVerifyAll: number;
  nobleVerify1: number;
  nobleVerifyAll: number;
  nodeSign1: number;
  sha256NodeMBps: number;
  sha256NobleMBps: number;
  sha256NodeNodesPerS: number;
  sha256NobleNodesPerS: number;
  threads: number;
  /** The fastest verification rate measured: the ledger's ceiling on this machine. */
  fastest: number;
}

interface Sample {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/** 64 distinct keys and digests, like a block from many organisations. */
function samples(): Sample[] {
  const result: Sample[] = [];
  for (let i = 0; i < 64; i++) {
    const privateKey = Uint8Array.from(createHash("sha256").update(`bench key ${i}`).digest());
    const message = Uint8Array.from(createHash("sha256").update(`bench digest ${i}`).digest());
    result.push({ publicKey: publicKeyFromPrivate(privateKey), message, signature: nodeSign(privateKey, message) });
  }
  return result;
}

// A worker that verifies the same samples in a loop for `ms` and reports its count.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { samples, ms, kind, nobleUrl } = workerData;
  let verify;
  if (kind === "node") {
    const crypto = require("node:crypto");
    const prefix = Buffer.from("302a300506032b6570032100", "hex");
    const keys = samples.map((s) => crypto.createPublicKey({ key: Buffer.concat([prefix, Buffer.from(s.publicKey)]), format: "der", type: "spki" }));
    verify = (i) => crypto.verify(null, samples[i].message, keys[i], samples[i].signature);
  } else {
    const { ed25519 } = await import(nobleUrl);
    verify = (i) => ed25519.verify(samples[i].signature, samples[i].message, samples[i].publicKey, { zip215: false });
  }
  parentPort.postMessage({ ready: true });
  await new Promise((resolve) => parentPort.once("message", resolve));
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < ms) {
    for (let i = 0; i < samples.length; i++) if (!verify(i)) throw new Error("verification failed");
    count += samples.length;
  }
  parentPort.postMessage({ count, seconds: (performance.now() - started) / 1000 });
})().catch((error) => { throw error; });
`;

async function parallelVerify(kind: "node" | "noble", threads: number, ms: number, data: Sample[]): Promise<number> {
  const nobleUrl = import.meta.resolve("@noble/curves/ed25519.js");
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { samples: data, ms, kind, nobleUrl } }));
  try {
    // Start every worker together, once all are ready, so they really run at the same time.
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => { w.once("message", resolve); w.once("error", reject); })));
    const results = workers.map((w) => new Promise<{ count: number; seconds: number }>((resolve, reject) => { w.once("message", resolve); w.once("error", reject); }));
    for (const w of workers) w.postMessage("go");
    const done = await Promise.all(results);
    return done.reduce((sum, r) => sum + r.count / r.seconds, 0);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export async function measureLimits(options: { quick: boolean }): Promise<Limits> {
  section("Limits of this machine (Ed25519 over a 32-byte digest, SHA-256)");
  const ms = options.quick ? 1500 : 4000;
  const data = samples();
  let i = 0;
  const next = () => data[i++ % data.length] as Sample;
  for (const s of data) nodeVerifier(s.publicKey, s.message, s.signature); // warm the key cache
  const nodeVerify1 = rate(() => { const s = next(); if (!nodeVerifier(s.publicKey, s.message, s.signature)) throw new Error("bad signature"); }, ms).perSecond;
  const nobleVerify1 = rate(() => { const s = next(); if (!nobleVerifier(s.publicKey, s.message, s.signature)) throw new Error("bad signature"); }, ms, 1, 8).perSecond;
  const privateKey = Uint8Array.from(createHash("sha256").update("bench signer").digest());
  const digest = Uint8Array.from(createHash("sha256").update("bench message").digest());
  const nodeSign1 = rate(() => void nodeSign(privateKey, digest), ms).perSecond;
  const threads = os.cpus().length;
  const nodeVerifyAll = await parallelVerify("node", threads, ms, data);
  const nobleVerifyAll = await parallelVerify("noble", threads, ms, data);

  const big = new Uint8Array(1 << 20).fill(7);
  const nodeBig = rate(() => void createHash("sha256").update(big).digest(), ms / 2, 1, 1);
  const nobleBig = rate(() => void sha256(big), ms / 2, 1, 1);
  const node65 = new Uint8Array(65).fill(1);
  const sha256NodeNodesPerS = rate(() => void createHash("sha256").update(node65).digest(), ms / 2).perSecond;
  const sha256NobleNodesPerS = rate(() => void sha256(node65), ms / 2).perSecond;
  const limits: Limits = {
    nodeVerify1,
    nodeVerifyAll,
    nobleVerify1,
    nobleVerifyAll,
    nodeSign1,
    sha256NodeMBps: nodeBig.perSecond,
    sha256NobleMBps: nobleBig.perSecond,
    sha256NodeNodesPerS,
    sha256NobleNodesPerS,
    threads,
    fastest: Math.max(nodeVerify1, nodeVerifyAll, nobleVerify1, nobleVerifyAll),
  };
  say(`Ed25519 verify, node:crypto (server), 1 thread:      ${fmt(nodeVerify1)} /s`);
  say(`Ed25519 verify, node:crypto, ${threads} threads:              ${fmt(nodeVerifyAll)} /s`);
  say(`Ed25519 verify, @noble/curves (browser), 1 thread:   ${fmt(nobleVerify1)} /s`);
  say(`Ed25519 verify, @noble/curves, ${threads} threads:            ${fmt(nobleVerifyAll)} /s`);
  say(`Ed25519 sign, node:crypto, 1 thread:                 ${fmt(nodeSign1)} /s`);
  say(`SHA-256 1 MiB buffers: node:crypto ${fmt(limits.sha256NodeMBps)} MiB/s, @noble/hashes ${fmt(limits.sha256NobleMBps)} MiB/s`);
  say(`SHA-256 65-byte Merkle nodes: node:crypto ${fmt(sha256NodeNodesPerS)} /s, @noble/hashes ${fmt(sha256NobleNodesPerS)} /s`);
  say(`verification limit (fastest above): ${fmt(limits.fastest)} /s`);
  return limits;
}
