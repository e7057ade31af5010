import { openForScript } from "./db-open";

const database = openForScript();
await database.migrate();
console.log(`Migrated the ${database.kind} database.`);
await database.close();
