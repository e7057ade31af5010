CREATE TABLE "ledger_inbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"submitter" text NOT NULL,
	"transaction" text NOT NULL,
	"taken_by" text,
	"answer" text,
	"answered_at_ms" bigint
);
--> statement-breakpoint
CREATE INDEX "ledger_inbox_unanswered" ON "ledger_inbox" USING btree ("id") WHERE "ledger_inbox"."answer" is null;