ALTER TABLE "signing_keys" ADD COLUMN "role" text NOT NULL;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "holder_user_id" text NOT NULL;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_role_check" CHECK ("signing_keys"."role" in ('maker','approver','admin'));