CREATE TABLE "financing_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"lender_org_id" text NOT NULL,
	"core_enterprise_org_id" text NOT NULL,
	"currency" text NOT NULL,
	"max_amount_minor" bigint NOT NULL,
	"max_depth" integer NOT NULL,
	"rate_bps" integer NOT NULL,
	"fee_minor" bigint NOT NULL,
	"recourse" boolean NOT NULL,
	"status" text NOT NULL,
	"created_tx_id" text NOT NULL,
	"ended_tx_id" text,
	CONSTRAINT "financing_policies_status_check" CHECK ("financing_policies"."status" in ('active','replaced','revoked')),
	CONSTRAINT "financing_policies_max_amount_positive" CHECK ("financing_policies"."max_amount_minor" > 0),
	CONSTRAINT "financing_policies_max_depth_positive" CHECK ("financing_policies"."max_depth" >= 1),
	CONSTRAINT "financing_policies_rate_range" CHECK ("financing_policies"."rate_bps" >= 0 and "financing_policies"."rate_bps" <= 100000),
	CONSTRAINT "financing_policies_fee_nonnegative" CHECK ("financing_policies"."fee_minor" >= 0),
	CONSTRAINT "financing_policies_currency_check" CHECK ("financing_policies"."currency" = 'CNY'),
	CONSTRAINT "financing_policies_ended_has_tx" CHECK (("financing_policies"."status" = 'active') = ("financing_policies"."ended_tx_id" is null))
);
--> statement-breakpoint
CREATE TABLE "scheduled_jobs" (
	"name" text PRIMARY KEY NOT NULL,
	"interval_ms" bigint NOT NULL,
	"next_run_at_ms" bigint NOT NULL,
	"locked_by" text,
	"locked_until_ms" bigint,
	"last_started_at_ms" bigint,
	"last_finished_at_ms" bigint,
	"last_status" text,
	"last_summary" text,
	"runs" integer DEFAULT 0 NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "scheduled_jobs_interval_positive" CHECK ("scheduled_jobs"."interval_ms" > 0),
	CONSTRAINT "scheduled_jobs_last_status_check" CHECK ("scheduled_jobs"."last_status" is null or "scheduled_jobs"."last_status" in ('ok','failed')),
	CONSTRAINT "scheduled_jobs_lock_pair" CHECK (("scheduled_jobs"."locked_by" is null) = ("scheduled_jobs"."locked_until_ms" is null))
);
--> statement-breakpoint
ALTER TABLE "financings" ADD COLUMN "policy_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "financing_policies_one_active" ON "financing_policies" USING btree ("lender_org_id","core_enterprise_org_id") WHERE "financing_policies"."status" = 'active';--> statement-breakpoint
ALTER TABLE "financings" ADD CONSTRAINT "financings_policy_id_financing_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."financing_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_type_idx" ON "ledger_entries" USING btree ("type");