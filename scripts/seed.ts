import { openForScript } from "./db-open";
import { seedDemo } from "@/server/seed/seed";
import { installNodeSha256 } from "@/server/crypto/node-hash";
import { EXIT_CONFIG, productionGuardApplies } from "@/server/seed/production-guard";

if (productionGuardApplies()) {
  console.error("The demo seed is for demos: a production deployment starts from an empty database (set DEMO_DEPLOYMENT=1 only for a demo).");
  process.exit(EXIT_CONFIG);
}

// This process hashes with node:crypto (the contracts default to @noble/hashes).
installNodeSha256();

const database = openForScript();
await database.migrate();
console.log("Seeding the demo supply chain:");
const created = await seedDemo(database.db, (line) => console.log(line));
console.log(created ? "Done." : "The database already holds the demo data; nothing to do.");
await database.close();
