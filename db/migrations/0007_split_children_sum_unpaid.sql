-- A split's children sum to the parent's unpaid part (amount - settled), as the contracts
-- require (contracts/ledger/invariants.ts, checkSplitSums; claims.ts, applyClaimSplit). The
-- trigger of 0002 compared them with the whole amount, so after a partial repayment no piece
-- of that issuance could be split or transferred. Only that comparison changes; the rest of
-- the function is as 0002 wrote it.
CREATE OR REPLACE FUNCTION claims_check_conservation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  root_face bigint;
  root_repaid bigint;
  root_state text;
  live_outstanding bigint;
  parent_unpaid bigint;
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
    SELECT amount_minor - settled_minor INTO parent_unpaid FROM claims WHERE id = NEW.parent_id;
    SELECT coalesce(sum(amount_minor), 0) INTO children_sum FROM claims WHERE parent_id = NEW.parent_id;
    IF parent_unpaid IS NULL OR children_sum <> parent_unpaid THEN
      RAISE EXCEPTION 'invariant_violated: children of % sum to %, parent''s unpaid part is %', NEW.parent_id, children_sum, parent_unpaid USING ERRCODE = 'P0001';
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
