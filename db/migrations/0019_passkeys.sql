CREATE TABLE "passkey_credentials" (
	"credential_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"public_key" text NOT NULL,
	"counter" bigint NOT NULL,
	"transports" jsonb NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"last_used_at_ms" bigint,
	CONSTRAINT "passkey_credentials_counter_check" CHECK ("passkey_credentials"."counter" >= 0)
);
--> statement-breakpoint
CREATE TABLE "webauthn_challenges" (
	"challenge" text PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"user_id" text,
	"expires_at_ms" bigint NOT NULL,
	CONSTRAINT "webauthn_challenges_purpose_check" CHECK ("webauthn_challenges"."purpose" in ('registration','authentication')),
	CONSTRAINT "webauthn_challenges_registration_has_user" CHECK (("webauthn_challenges"."purpose" = 'registration') = ("webauthn_challenges"."user_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "key_requests" DROP CONSTRAINT "key_requests_public_key_format";--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "webauthn" jsonb;--> statement-breakpoint
ALTER TABLE "passkey_credentials" ADD CONSTRAINT "passkey_credentials_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webauthn_challenges" ADD CONSTRAINT "webauthn_challenges_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "passkey_credentials_user_idx" ON "passkey_credentials" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "webauthn_challenges_expiry_idx" ON "webauthn_challenges" USING btree ("expires_at_ms");--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_public_key_scheme" CHECK (case when "signing_keys"."webauthn" is null then "signing_keys"."public_key_hex" ~ '^[0-9a-f]{64}$' else "signing_keys"."public_key_hex" ~ '^0[23][0-9a-f]{64}$' end);--> statement-breakpoint
ALTER TABLE "key_requests" ADD CONSTRAINT "key_requests_public_key_format" CHECK ("key_requests"."public_key_hex" ~ '^([0-9a-f]{64}|0[23][0-9a-f]{64})$');