CREATE TABLE "claims" (
	"id" text PRIMARY KEY NOT NULL,
	"root_id" text NOT NULL,
	"parent_id" text,
	"issuer_org_id" text NOT NULL,
	"credit_line_id" text NOT NULL,
	"holder_org_id" text NOT NULL,
	"offered_to_org_id" text,
	"amount_minor" bigint NOT NULL,
	"settled_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"maturity_date" text NOT NULL,
	"depth" integer NOT NULL,
	"state" text NOT NULL,
	"documents" jsonb,
	"created_tx_id" text NOT NULL,
	"financed_once" boolean NOT NULL,
	"active_financing_id" text,
	"root_repaid_minor" bigint NOT NULL,
	CONSTRAINT "claims_amount_positive" CHECK ("claims"."amount_minor" > 0),
	CONSTRAINT "claims_settled_in_range" CHECK ("claims"."settled_minor" >= 0 and "claims"."settled_minor" <= "claims"."amount_minor"),
	CONSTRAINT "claims_state_check" CHECK ("claims"."state" in ('offered','held','split','pledged','financed','settled','overdue','withdrawn','rejected')),
	CONSTRAINT "claims_offer_iff_offered" CHECK (("claims"."state" = 'offered') = ("claims"."offered_to_org_id" is not null)),
	CONSTRAINT "claims_settled_means_paid" CHECK ("claims"."state" <> 'settled' or "claims"."settled_minor" = "claims"."amount_minor"),
	CONSTRAINT "claims_depth_positive" CHECK ("claims"."depth" >= 1),
	CONSTRAINT "claims_root_shape" CHECK (("claims"."parent_id" is null) = ("claims"."id" = "claims"."root_id")),
	CONSTRAINT "claims_repaid_only_on_root" CHECK ("claims"."id" = "claims"."root_id" or "claims"."root_repaid_minor" = 0),
	CONSTRAINT "claims_financed_state_needs_financing" CHECK ("claims"."state" <> 'financed' or "claims"."financed_once"),
	CONSTRAINT "claims_maturity_date_format" CHECK ("claims"."maturity_date" ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')
);
--> statement-breakpoint
CREATE TABLE "credit_lines" (
	"id" text PRIMARY KEY NOT NULL,
	"lender_org_id" text NOT NULL,
	"core_enterprise_org_id" text NOT NULL,
	"currency" text NOT NULL,
	"limit_minor" bigint NOT NULL,
	"used_minor" bigint NOT NULL,
	"expires_at_ms" bigint NOT NULL,
	"status" text NOT NULL,
	"created_tx_id" text NOT NULL,
	CONSTRAINT "credit_lines_used_in_range" CHECK ("credit_lines"."used_minor" >= 0 and "credit_lines"."used_minor" <= "credit_lines"."limit_minor"),
	CONSTRAINT "credit_lines_status_check" CHECK ("credit_lines"."status" in ('active','frozen','expired')),
	CONSTRAINT "credit_lines_currency_check" CHECK ("credit_lines"."currency" = 'CNY')
);
--> statement-breakpoint
CREATE TABLE "financings" (
	"id" text PRIMARY KEY NOT NULL,
	"claim_id" text NOT NULL,
	"holder_org_id" text NOT NULL,
	"lender_org_id" text NOT NULL,
	"status" text NOT NULL,
	"face_minor" bigint,
	"rate_bps" integer,
	"fee_minor" bigint,
	"disbursement_date" text,
	"interest_minor" bigint,
	"net_minor" bigint,
	"recourse" boolean,
	"payment_reference" text,
	"declined_by_org_id" text,
	"decline_reason" text,
	"created_tx_id" text NOT NULL,
	CONSTRAINT "financings_status_check" CHECK ("financings"."status" in ('requested','offered','accepted','disbursed','declined')),
	CONSTRAINT "financings_net_positive" CHECK ("financings"."net_minor" is null or "financings"."net_minor" > 0),
	CONSTRAINT "financings_net_below_face" CHECK ("financings"."net_minor" is null or "financings"."net_minor" <= "financings"."face_minor")
);
--> statement-breakpoint
CREATE TABLE "ledger_checkpoints" (
	"size" bigint PRIMARY KEY NOT NULL,
	"root_hash" text NOT NULL,
	"timestamp_ms" bigint NOT NULL,
	"previous_checkpoint_hash" text,
	"checkpoint_hash" text NOT NULL,
	"key_id" text NOT NULL,
	"signature_hex" text NOT NULL,
	CONSTRAINT "ledger_checkpoints_checkpoint_hash_unique" UNIQUE("checkpoint_hash")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"leaf_index" bigint PRIMARY KEY NOT NULL,
	"tx_id" text NOT NULL,
	"type" text NOT NULL,
	"signer_org_id" text NOT NULL,
	"signer_key_id" text NOT NULL,
	"accepted_at_ms" bigint NOT NULL,
	"entry_canonical" text NOT NULL,
	"leaf_hash" text NOT NULL,
	"claim_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	CONSTRAINT "ledger_entries_leaf_index_nonnegative" CHECK ("ledger_entries"."leaf_index" >= 0)
);
--> statement-breakpoint
CREATE TABLE "ledger_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"size" bigint NOT NULL,
	"frontier" jsonb NOT NULL,
	"last_accepted_at_ms" bigint NOT NULL,
	"last_checkpoint_hash" text,
	"last_checkpoint_size" bigint NOT NULL,
	CONSTRAINT "ledger_head_single_row" CHECK ("ledger_head"."id" = 1),
	CONSTRAINT "ledger_head_checkpoint_not_ahead" CHECK ("ledger_head"."last_checkpoint_size" <= "ledger_head"."size")
);
--> statement-breakpoint
CREATE TABLE "ledger_nonces" (
	"org_id" text NOT NULL,
	"key_id" text NOT NULL,
	"nonce" text NOT NULL,
	CONSTRAINT "ledger_nonces_org_id_key_id_nonce_pk" PRIMARY KEY("org_id","key_id","nonce")
);
--> statement-breakpoint
CREATE TABLE "ledger_organisations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "ledger_organisations_role_check" CHECK ("ledger_organisations"."role" in ('core_enterprise','supplier','lender','operator','auditor'))
);
--> statement-breakpoint
CREATE TABLE "platform_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"private_key_hex" text NOT NULL,
	"public_key_hex" text NOT NULL,
	"created_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pledges" (
	"id" text PRIMARY KEY NOT NULL,
	"claim_id" text NOT NULL,
	"pledgor_org_id" text NOT NULL,
	"lender_org_id" text NOT NULL,
	"status" text NOT NULL,
	"created_tx_id" text NOT NULL,
	"released_tx_id" text,
	CONSTRAINT "pledges_status_check" CHECK ("pledges"."status" in ('active','released'))
);
--> statement-breakpoint
CREATE TABLE "repayments" (
	"id" text PRIMARY KEY NOT NULL,
	"root_claim_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"payment_reference" text NOT NULL,
	"allocations" jsonb NOT NULL,
	"created_tx_id" text NOT NULL,
	CONSTRAINT "repayments_amount_positive" CHECK ("repayments"."amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"public_key_hex" text NOT NULL,
	"status" text NOT NULL,
	"registered_at_ms" bigint NOT NULL,
	"revoked_at_ms" bigint,
	CONSTRAINT "signing_keys_public_key_hex_unique" UNIQUE("public_key_hex"),
	CONSTRAINT "signing_keys_status_check" CHECK ("signing_keys"."status" in ('active','revoked')),
	CONSTRAINT "signing_keys_revoked_has_time" CHECK (("signing_keys"."status" = 'revoked') = ("signing_keys"."revoked_at_ms" is not null))
);
--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_credit_line_id_credit_lines_id_fk" FOREIGN KEY ("credit_line_id") REFERENCES "public"."credit_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financings" ADD CONSTRAINT "financings_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledges" ADD CONSTRAINT "pledges_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repayments" ADD CONSTRAINT "repayments_root_claim_id_claims_id_fk" FOREIGN KEY ("root_claim_id") REFERENCES "public"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_org_id_ledger_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."ledger_organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "claims_root_idx" ON "claims" USING btree ("root_id");--> statement-breakpoint
CREATE INDEX "claims_holder_idx" ON "claims" USING btree ("holder_org_id");--> statement-breakpoint
CREATE INDEX "claims_offered_to_idx" ON "claims" USING btree ("offered_to_org_id");--> statement-breakpoint
CREATE INDEX "claims_parent_idx" ON "claims" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "credit_lines_core_idx" ON "credit_lines" USING btree ("core_enterprise_org_id");--> statement-breakpoint
CREATE INDEX "credit_lines_lender_idx" ON "credit_lines" USING btree ("lender_org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "financings_disbursed_once" ON "financings" USING btree ("claim_id") WHERE "financings"."status" = 'disbursed';--> statement-breakpoint
CREATE UNIQUE INDEX "financings_one_open_per_claim" ON "financings" USING btree ("claim_id") WHERE "financings"."status" in ('requested','offered','accepted');--> statement-breakpoint
CREATE INDEX "financings_lender_idx" ON "financings" USING btree ("lender_org_id");--> statement-breakpoint
CREATE INDEX "financings_holder_idx" ON "financings" USING btree ("holder_org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_tx_id_unique" ON "ledger_entries" USING btree ("tx_id");--> statement-breakpoint
CREATE INDEX "ledger_entries_claim_ids_idx" ON "ledger_entries" USING gin ("claim_ids");--> statement-breakpoint
CREATE UNIQUE INDEX "pledges_one_active_per_claim" ON "pledges" USING btree ("claim_id") WHERE "pledges"."status" = 'active';--> statement-breakpoint
CREATE INDEX "pledges_lender_idx" ON "pledges" USING btree ("lender_org_id");--> statement-breakpoint
CREATE INDEX "repayments_root_idx" ON "repayments" USING btree ("root_claim_id");--> statement-breakpoint
CREATE INDEX "signing_keys_org_idx" ON "signing_keys" USING btree ("org_id");