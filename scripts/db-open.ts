import { DatabaseBusyError } from "@/db/lock";
import { databaseOptionsFromEnv, openDatabase, type Database } from "@/db/client";

/** Opens the configured database for a command-line script, with a clear message when PGlite is busy. */
export function openForScript(): Database {
  try {
    return openDatabase(databaseOptionsFromEnv());
  } catch (error) {
    if (error instanceof DatabaseBusyError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}
