import { openForScript } from "./db-open";
import { seedDemo } from "@/server/seed/seed";
import { installNodeSha256 } from "@/server/crypto/node-hash";

// This process hashes with node:crypto (the contracts default to @noble/hashes).
installNodeSha256();

// Runs before the dev server: migrate, and seed the demo chain into an empty database.
const database = openForScript();
await database.migrate();
const created = await seedDemo(database.db, (line) => console.log(line));
console.log(created ? `Seeded the demo data into the ${database.kind} database.` : `The ${database.kind} database is migrated and seeded.`);
await database.close();
