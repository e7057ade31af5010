CREATE TABLE "checkpoint_cosignatures" (
	"size" bigint NOT NULL,
	"witness_name" text NOT NULL,
	"line" text NOT NULL,
	"timestamp_seconds" bigint NOT NULL,
	CONSTRAINT "checkpoint_cosignatures_size_witness_name_pk" PRIMARY KEY("size","witness_name")
);
--> statement-breakpoint
CREATE TABLE "state_map_nodes" (
	"position" "bytea" PRIMARY KEY NOT NULL,
	"node" "bytea" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ledger_checkpoints" ADD COLUMN "state_root_hex" text;--> statement-breakpoint
ALTER TABLE "ledger_checkpoints" ADD COLUMN "note" text;