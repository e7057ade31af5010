// npm run verify                      -> replay the database's log and compare it with the materialised tables
// npm run verify -- --export FILE --trust TRUST.json
//                                     -> verify an exported log offline, with no database, against the
//                                        operator key(s) pinned in the trust policy (never the file's own)
import fs from "node:fs";
import { parseLedgerExportText } from "@/contracts/export";
import { runWithBatchVerifier } from "@/contracts/signing";
import { parseTrustPolicyText, pinnedOperatorKeysHex, TRUST_CHECK_TEXT } from "@/contracts/trust-policy";
import { verifyLog } from "@/contracts/verify-log";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { withVerifyPool } from "@/server/crypto/verify-pool";
import { verifyDatabase } from "@/server/ledger/export";
import { openForScript } from "./db-open";
import { installNodeSha256 } from "@/server/crypto/node-hash";

// This process hashes with node:crypto (the contracts default to @noble/hashes).
installNodeSha256();

function describe(failure: Record<string, unknown>): string {
  return Object.entries(failure)
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" ");
}

const exportIndex = process.argv.indexOf("--export");
if (exportIndex >= 0) {
  const file = process.argv[exportIndex + 1];
  const trustIndex = process.argv.indexOf("--trust");
  const trustFile = trustIndex >= 0 ? process.argv[trustIndex + 1] : undefined;
  if (!file || !trustFile) {
    console.error("Usage: npm run verify -- --export FILE --trust TRUST.json");
    process.exit(2);
  }
  const started = performance.now();
  const policy = parseTrustPolicyText(fs.readFileSync(trustFile, "utf8"));
  if (!policy.ok) {
    console.error(`FAILED ${policy.code}: ${TRUST_CHECK_TEXT[policy.code]} (${policy.detail})`);
    process.exit(1);
  }
  const parsed = parseLedgerExportText(fs.readFileSync(file, "utf8"));
  if (!parsed.ok) {
    console.error(`FAILED ${describe({ ...parsed.failure })}`);
    process.exit(1);
  }
  // The file names the key it claims; it is used only if the policy pins it, so a ledger
  // fabricated under a fresh key fails here instead of verifying against its own key.
  const pinned = pinnedOperatorKeysHex(policy.policy);
  if (!pinned.includes(parsed.value.operatorPublicKeyHex)) {
    console.error(`FAILED operator_key_not_pinned: the export is signed by operator key ${parsed.value.operatorPublicKeyHex}, which ${trustFile} does not pin (it pins ${pinned.join(", ")})`);
    process.exit(1);
  }
  // Signatures are checked on worker threads while this thread replays.
  const onProgress = (done: number, total: number) => process.stderr.write(`\rreplayed ${done}/${total}`);
  const result = await withVerifyPool((pool) => runWithBatchVerifier((verifier) => verifyLog(parsed.value, verifier, { onProgress }), pool, nodeVerifier));
  process.stderr.write("\n");
  if (!result.ok) {
    console.error(`FAILED ${describe({ ...result.failure })}`);
    process.exit(1);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`OK export ${file}: transactions=${result.summary.transactions} checkpoints=${result.summary.checkpoints} root=${result.summary.rootHashHex} seconds=${seconds.toFixed(2)}`);
  process.exit(0);
}

const database = openForScript();
await database.migrate();
const result = await withVerifyPool((pool) => verifyDatabase(database.db, nodeVerifier, pool));
await database.close();
if (!result.ok) {
  console.error(`FAILED ${describe({ ...result.failure })}`);
  process.exit(1);
}
console.log(
  `OK ${database.kind}: transactions=${result.summary.transactions} blocks=${result.summary.checkpoints} root=${result.summary.rootHashHex} seconds=${result.seconds.toFixed(2)} (signatures, hashes, Merkle roots, checkpoint signatures and links, contract rules, materialised tables, log_subtree_hashes)`,
);
