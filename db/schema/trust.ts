import { bigint, customType, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/*
 * Issue 13: what makes a checkpoint trustworthy without trusting the operator. The state map's
 * nodes (contracts/state-map.ts) as of the last checkpoint, so a bundle can prove a claim's
 * current state with a handful of rows, and the witnesses' cosignatures of each checkpoint.
 */

/** A byte string (one character per byte, codes 0-255, as contracts/state-map.ts keeps nodes) stored as bytea. */
const byteString = customType<{ data: string; driverData: Uint8Array | Buffer }>({
  dataType: () => "bytea",
  toDriver: (value) => Buffer.from(value, "latin1"),
  fromDriver: (value) => Buffer.from(value).toString("latin1"),
});

/** The state map of the last checkpoint: position -> node (32-byte hash, or a 96-byte lone entry). */
export const stateMapNodes = pgTable("state_map_nodes", {
  position: byteString("position").primaryKey(),
  node: byteString("node").notNull(),
});

/** A witness's cosignature line (C2SP tlog-cosignature) of the checkpoint of `size`, verified before it was stored. */
export const checkpointCosignatures = pgTable(
  "checkpoint_cosignatures",
  {
    size: bigint("size", { mode: "number" }).notNull(),
    witnessName: text("witness_name").notNull(),
    line: text("line").notNull(),
    timestampSeconds: bigint("timestamp_seconds", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.size, t.witnessName] })],
);
