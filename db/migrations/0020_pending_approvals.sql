CREATE TABLE "pending_approvals" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"prepared_by_user_id" text NOT NULL,
	"tx_id" text NOT NULL,
	"type" text NOT NULL,
	"signed_transaction" jsonb NOT NULL,
	"summary" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"signed_at_ms" bigint NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"decided_at_ms" bigint,
	"decided_by_user_id" text,
	"reason" text,
	"refusal_code" text,
	"leaf_index" integer,
	CONSTRAINT "pending_approvals_status_check" CHECK ("pending_approvals"."status" in ('pending','approved','rejected','withdrawn','expired','superseded')),
	CONSTRAINT "pending_approvals_tx_id_format" CHECK ("pending_approvals"."tx_id" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "pending_approvals_decision_recorded" CHECK (("pending_approvals"."status" = 'pending') = ("pending_approvals"."decided_at_ms" is null) and ("pending_approvals"."status" <> 'pending' or "pending_approvals"."decided_by_user_id" is null)),
	CONSTRAINT "pending_approvals_rejection_has_reason" CHECK (("pending_approvals"."status" = 'rejected') = ("pending_approvals"."reason" is not null)),
	CONSTRAINT "pending_approvals_approved_has_leaf" CHECK (("pending_approvals"."status" = 'approved') = ("pending_approvals"."leaf_index" is not null))
);
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_subject_check";--> statement-breakpoint
ALTER TABLE "pending_approvals" ADD CONSTRAINT "pending_approvals_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_approvals" ADD CONSTRAINT "pending_approvals_prepared_by_user_id_users_id_fk" FOREIGN KEY ("prepared_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_approvals" ADD CONSTRAINT "pending_approvals_decided_by_user_id_users_id_fk" FOREIGN KEY ("decided_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pending_approvals_tx_id_unique" ON "pending_approvals" USING btree ("tx_id");--> statement-breakpoint
CREATE INDEX "pending_approvals_org_status_idx" ON "pending_approvals" USING btree ("org_id","status");--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_subject_check" CHECK ("notifications"."subject" in ('claim','issuance','financing','keys','apiKeys','people','approvals'));