/*
 * npm run backup:embedded -- DEST
 *
 * A consistent copy of the embedded database's folder (PGLITE_DIR, data/pglite by default):
 * it takes the folder's lock first, so it refuses while `npm run dev` or `npm start` has
 * the database open (a copy of a folder being written is not a backup), and copies
 * everything but the lock file. To restore, stop the app and put the copy in the folder's
 * place. For PostgreSQL use pg_dump and pg_restore (README, "Backups").
 */
import fs from "node:fs";
import path from "node:path";
import { databaseOptionsFromEnv } from "@/db/client";
import { acquireDirectoryLock, DatabaseBusyError } from "@/db/lock";

const dest = process.argv[2];
const options = databaseOptionsFromEnv();
if (!dest || options.kind !== "pglite" || !options.dataDir) {
  console.error("Usage: npm run backup:embedded -- DEST   (for the embedded database; unset DATABASE_URL)");
  process.exit(2);
}
const source = options.dataDir;
if (!fs.existsSync(source)) {
  console.error(`No embedded database at ${source}.`);
  process.exit(2);
}
if (fs.existsSync(dest) && fs.readdirSync(dest).length > 0) {
  console.error(`${dest} is not empty; name a new folder.`);
  process.exit(2);
}
let lock;
try {
  lock = acquireDirectoryLock(source);
} catch (error) {
  if (error instanceof DatabaseBusyError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
try {
  fs.cpSync(source, dest, { recursive: true, filter: (file) => path.basename(file) !== "double-chain.lock" });
} finally {
  lock.release();
}
console.log(`Copied the embedded database ${source} to ${path.resolve(dest)}.`);
