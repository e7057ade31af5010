-- The log is append-only: no code path updates or deletes it, and the database refuses to.
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_append_only: % on % is refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'P0001';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_nonces_append_only BEFORE UPDATE OR DELETE ON ledger_nonces FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
-- Conservation, checked at commit for every issuance a transaction touched: the live
-- leaves' outstanding plus what was repaid equals the face value, and the children of a
-- split sum exactly to their parent. A withdrawn or rejected issuance never happened.
CREATE OR REPLACE FUNCTION claims_check_conservation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  root_face bigint;
  root_repaid bigint;
  root_state text;
  live_outstanding bigint;
  parent_amount bigint;
  children_sum bigint;
BEGIN
  SELECT amount_minor, root_repaid_minor, state INTO root_face, root_repaid, root_state FROM claims WHERE id = NEW.root_id;
  IF root_face IS NULL THEN
    RAISE EXCEPTION 'invariant_violated: claim % has no root %', NEW.id, NEW.root_id USING ERRCODE = 'P0001';
  END IF;
  IF root_state NOT IN ('withdrawn', 'rejected') THEN
    SELECT coalesce(sum(amount_minor - settled_minor), 0) INTO live_outstanding FROM claims
      WHERE root_id = NEW.root_id AND state IN ('offered', 'held', 'pledged', 'financed', 'overdue');
    IF live_outstanding + root_repaid <> root_face THEN
      RAISE EXCEPTION 'invariant_violated: issuance % outstanding % + repaid % <> face %', NEW.root_id, live_outstanding, root_repaid, root_face USING ERRCODE = 'P0001';
    END IF;
  END IF;
  IF NEW.parent_id IS NOT NULL THEN
    SELECT amount_minor INTO parent_amount FROM claims WHERE id = NEW.parent_id;
    SELECT coalesce(sum(amount_minor), 0) INTO children_sum FROM claims WHERE parent_id = NEW.parent_id;
    IF parent_amount IS NULL OR children_sum <> parent_amount THEN
      RAISE EXCEPTION 'invariant_violated: children of % sum to %, parent is %', NEW.parent_id, children_sum, parent_amount USING ERRCODE = 'P0001';
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER claims_conservation AFTER INSERT OR UPDATE ON claims DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION claims_check_conservation();
--> statement-breakpoint
CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
