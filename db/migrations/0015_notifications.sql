CREATE TABLE "notification_cursor" (
	"name" text PRIMARY KEY NOT NULL,
	"leaf_index" bigint NOT NULL,
	"outbox_id" text NOT NULL,
	"maturity_checked_on" text
);
--> statement-breakpoint
CREATE TABLE "notification_preferences" (
	"user_id" text PRIMARY KEY NOT NULL,
	"in_app" text[] NOT NULL,
	"email" text[] NOT NULL,
	"locale" text NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	CONSTRAINT "notification_preferences_locale_check" CHECK ("notification_preferences"."locale" in ('zh-CN','en'))
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"org_id" text NOT NULL,
	"category" text NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"subject_id" text,
	"params" jsonb NOT NULL,
	"dedupe_key" text NOT NULL,
	"in_app" boolean NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"read_at_ms" bigint,
	"email_status" text NOT NULL,
	"emailed_at_ms" bigint,
	CONSTRAINT "notifications_category_check" CHECK ("notifications"."category" in ('offer','decision','money','maturity','overdue','organisation')),
	CONSTRAINT "notifications_subject_check" CHECK ("notifications"."subject" in ('claim','issuance','financing','keys','apiKeys','people')),
	CONSTRAINT "notifications_email_status_check" CHECK ("notifications"."email_status" in ('none','pending','sending','sent','failed','not_configured')),
	CONSTRAINT "notifications_emailed_when_handed_over" CHECK (("notifications"."emailed_at_ms" is null) = ("notifications"."email_status" in ('none','pending')))
);
--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_once" ON "notifications" USING btree ("user_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "notifications_inbox_idx" ON "notifications" USING btree ("user_id","created_at_ms");--> statement-breakpoint
CREATE INDEX "notifications_unread_idx" ON "notifications" USING btree ("user_id") WHERE "notifications"."read_at_ms" is null and "notifications"."in_app";--> statement-breakpoint
CREATE INDEX "notifications_email_due_idx" ON "notifications" USING btree ("created_at_ms") WHERE "notifications"."email_status" = 'pending';--> statement-breakpoint
-- Hand-written (not in the drizzle schema: ledger_outbox belongs to db/schema/webhooks.ts): the
-- notifications job reads the outbox after its own cursor, in (leaf_index, id) order, whatever
-- the webhooks have dispatched.
CREATE INDEX "ledger_outbox_leaf_order_idx" ON "ledger_outbox" USING btree ("leaf_index","id");
