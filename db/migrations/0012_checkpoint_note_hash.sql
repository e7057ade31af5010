ALTER TABLE "ledger_checkpoints" ADD COLUMN "note_text_hash" text;--> statement-breakpoint
ALTER TABLE "ledger_checkpoints" ADD CONSTRAINT "ledger_checkpoints_note_text_hash_unique" UNIQUE("note_text_hash");--> statement-breakpoint
-- Hand-written: the hash of each existing note's text (everything before the blank line that
-- starts the signatures, its last newline included), as checkpointTextHash computes it.
UPDATE "ledger_checkpoints" SET "note_text_hash" = encode(sha256(convert_to(left("note", strpos("note", E'\n\n')), 'UTF8')), 'hex') WHERE "note" IS NOT NULL;
