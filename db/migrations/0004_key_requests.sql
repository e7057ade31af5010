CREATE TABLE "key_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"user_id" text NOT NULL,
	"key_id" text NOT NULL,
	"public_key_hex" text NOT NULL,
	"signed_transaction" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by_user_id" text,
	"tx_id" text,
	CONSTRAINT "key_requests_status_check" CHECK ("key_requests"."status" in ('pending','approved','rejected')),
	CONSTRAINT "key_requests_key_id_format" CHECK ("key_requests"."key_id" ~ '^[0-9a-f]{32}$'),
	CONSTRAINT "key_requests_public_key_format" CHECK ("key_requests"."public_key_hex" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "key_requests_decision_recorded" CHECK (("key_requests"."status" = 'pending') = ("key_requests"."decided_at" is null) and ("key_requests"."status" = 'pending') = ("key_requests"."decided_by_user_id" is null)),
	CONSTRAINT "key_requests_approved_has_tx" CHECK (("key_requests"."status" = 'approved') = ("key_requests"."tx_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "key_requests" ADD CONSTRAINT "key_requests_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_requests" ADD CONSTRAINT "key_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_requests" ADD CONSTRAINT "key_requests_decided_by_user_id_users_id_fk" FOREIGN KEY ("decided_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "key_requests_key_id_unique" ON "key_requests" USING btree ("key_id");--> statement-breakpoint
CREATE INDEX "key_requests_org_idx" ON "key_requests" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "key_requests_status_idx" ON "key_requests" USING btree ("status");