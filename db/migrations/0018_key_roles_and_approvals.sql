CREATE TABLE "approval_policies" (
	"org_id" text PRIMARY KEY NOT NULL,
	"approval_above_minor" bigint,
	"key_change_admins" integer NOT NULL,
	"created_tx_id" text NOT NULL,
	CONSTRAINT "approval_policies_key_change_admins_check" CHECK ("approval_policies"."key_change_admins" in (1, 2)),
	CONSTRAINT "approval_policies_threshold_not_negative" CHECK ("approval_policies"."approval_above_minor" is null or "approval_policies"."approval_above_minor" >= 0)
);
--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "role" text NOT NULL;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "holder_user_id" text NOT NULL;--> statement-breakpoint
ALTER TABLE "approval_policies" ADD CONSTRAINT "approval_policies_org_id_ledger_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."ledger_organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_role_check" CHECK ("signing_keys"."role" in ('maker','approver','admin'));