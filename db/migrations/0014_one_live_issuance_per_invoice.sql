CREATE UNIQUE INDEX "claims_one_live_issuance_per_invoice" ON "claims" USING btree (("documents" ->> 'invoiceSha256')) WHERE "claims"."parent_id" is null and "claims"."state" not in ('withdrawn', 'rejected') and "claims"."root_repaid_minor" < "claims"."amount_minor";
-- Hand-written note (no SQL): the index mirrors contracts/ledger/types.ts isLiveIssuance. A
-- database seeded before this rule, whose demo issuances shared one invoice, fails this
-- migration with a unique violation; its log would not replay under the new claim.issue
-- check either, so such a development database is recreated (delete data/pglite).
