CREATE TABLE "voucher_shares" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"claim_id" text NOT NULL,
	"org_id" text NOT NULL,
	"created_by_user_id" text NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"revoked_at_ms" bigint,
	CONSTRAINT "voucher_shares_token_hash_hex" CHECK ("voucher_shares"."token_hash" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "voucher_shares_revoked_after_creation" CHECK ("voucher_shares"."revoked_at_ms" is null or "voucher_shares"."revoked_at_ms" >= "voucher_shares"."created_at_ms")
);
--> statement-breakpoint
ALTER TABLE "voucher_shares" ADD CONSTRAINT "voucher_shares_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_shares" ADD CONSTRAINT "voucher_shares_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_shares_token_hash_unique" ON "voucher_shares" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "voucher_shares_claim_idx" ON "voucher_shares" USING btree ("claim_id","org_id");