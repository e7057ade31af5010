/**
 * Runs a witness of the ledger, or prints the evidence one kept (docs/witness.md):
 *
 *   npm run witness -- --name NAME --port PORT --data DIR --origin ORIGIN --log-key VKEY --log-url URL
 *       [--follow-ms 200] [--snapshot-every 10000]
 *   npm run witness -- evidence --data DIR
 *
 * The witness keeps its own database (PGlite in DIR, or WITNESS_DATABASE_URL), makes its
 * Ed25519 key on first start and prints its verifier key. It listens on 127.0.0.1 only. It polls
 * the log's latest checkpoint every --follow-ms (default 200; 0: only when asked to cosign) and
 * replays up to it, so that a request to cosign finds the replay done.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { parseVerifierKey, NOTE_SIGNATURE_TYPE_ED25519 } from "@/contracts/note";
import { installNodeSha256 } from "@/server/crypto/node-hash";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { createWitnessServer } from "@/server/witness/http";
import { httpLogSource } from "@/server/witness/log-source";
import { openWitnessStore } from "@/server/witness/store";
import { Witness } from "@/server/witness/witness";
import { exitWithParent } from "./exit-with-parent";

exitWithParent();
const DEFAULT_FOLLOW_MS = 200;
// The replay hashes every log leaf, state leaf and map node: through OpenSSL, as the server does.
installNodeSha256();

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: "string" },
    port: { type: "string" },
    data: { type: "string" },
    origin: { type: "string" },
    "log-key": { type: "string" },
    "log-url": { type: "string" },
    "snapshot-every": { type: "string" },
    "follow-ms": { type: "string" },
  },
});

function required(name: keyof typeof values): string {
  const value = values[name];
  if (typeof value !== "string" || value.length === 0) throw new Error(`--${name} is required`);
  return value;
}

function storeOptions() {
  const databaseUrl = process.env.WITNESS_DATABASE_URL ?? null;
  return { databaseUrl, dataDir: databaseUrl ? null : path.resolve(required("data")) };
}

async function printEvidence(): Promise<void> {
  const store = await openWitnessStore(storeOptions());
  const evidence = await store.evidence();
  await store.close();
  if (evidence.length === 0) console.log("no evidence: every checkpoint shown was consistent");
  for (const item of evidence) {
    console.log(`#${item.id} ${new Date(item.receivedAtMs).toISOString()} ${item.reason}: ${item.detail}`);
    console.log(`-- the checkpoint this witness had cosigned:\n${item.cosignedNote ?? "(none)\n"}-- the signed checkpoint it was shown:\n${item.shownNote}`);
  }
}

async function serve(): Promise<void> {
  const logKey = parseVerifierKey(required("log-key"));
  if (!logKey.ok || logKey.key.type !== NOTE_SIGNATURE_TYPE_ED25519) throw new Error(`--log-key is not an Ed25519 note verifier key${logKey.ok ? "" : `: ${logKey.detail}`}`);
  const port = Number(required("port"));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error("--port is a TCP port number");
  const store = await openWitnessStore(storeOptions());
  const witness = await Witness.open({ name: required("name"), origin: required("origin"), logKey: logKey.key, logSource: httpLogSource(required("log-url")), store, verifier: nodeVerifier, ...(values["snapshot-every"] ? { snapshotEveryEntries: Number(values["snapshot-every"]) } : {}) });
  const followMs = values["follow-ms"] === undefined ? DEFAULT_FOLLOW_MS : Number(values["follow-ms"]);
  if (!Number.isInteger(followMs) || followMs < 0) throw new Error("--follow-ms is a whole number of milliseconds (0: do not follow)");
  if (followMs > 0) witness.follow(followMs);
  const server = createWitnessServer(witness);
  server.listen(port, "127.0.0.1", () => {
    console.log(`witness key ${witness.verifierKeyText}`);
    const resumed = witness.snapshotSize > 0 ? `, replay resumed at leaf ${witness.snapshotSize}` : "";
    console.log(`witness ${required("name")} listening on http://127.0.0.1:${port} (cosigned size ${witness.size}${resumed})`);
  });
  // The request in hand and a snapshot being written finish before the store closes.
  const stop = () => server.close(() => void witness.close().then(() => store.close()).then(() => process.exit(0)));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

(positionals[0] === "evidence" ? printEvidence() : serve()).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
