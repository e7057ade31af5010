import { openForScript } from "./db-open";
import { seedDemo } from "@/server/seed/seed";

const database = openForScript();
await database.migrate();
console.log("Seeding the demo supply chain:");
const created = await seedDemo(database.db, (line) => console.log(line));
console.log(created ? "Done." : "The database already holds the demo data; nothing to do.");
await database.close();
