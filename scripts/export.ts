// npm run ledger:export -- --out FILE: writes the log, its checkpoints and the operator public key to one JSON file.
import fs from "node:fs";
import { serializeLedgerExport } from "@/contracts/export";
import { exportLedger } from "@/server/ledger/export";
import { openForScript } from "./db-open";
import { installNodeSha256 } from "@/server/crypto/node-hash";

// This process hashes with node:crypto (the contracts default to @noble/hashes).
installNodeSha256();

const outIndex = process.argv.indexOf("--out");
const out = outIndex >= 0 ? process.argv[outIndex + 1] : undefined;
if (!out) {
  console.error("Usage: npm run ledger:export -- --out FILE");
  process.exit(2);
}
const database = openForScript();
await database.migrate();
const exported = await exportLedger(database.db);
await database.close();
fs.writeFileSync(out, serializeLedgerExport(exported));
console.log(`Wrote ${exported.entries.length} transactions and ${exported.checkpoints.length} checkpoints to ${out}`);
