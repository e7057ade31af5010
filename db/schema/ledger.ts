import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";

/*
 * The ledger: an append-only log of signed transactions (ledger_entries), the signed
 * checkpoints that close its blocks, and the head row whose lock serialises appends.
 * Every other table here is materialised state: a cache of the log that replaying it must
 * reproduce exactly. Their constraints mirror the contracts' invariants, so a bug in the
 * service cannot store what the contracts would never allow.
 */

const amount = (name: string) => bigint(name, { mode: "bigint" });
const ms = (name: string) => bigint(name, { mode: "number" });

export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    leafIndex: ms("leaf_index").primaryKey(),
    txId: text("tx_id").notNull(),
    type: text("type").notNull(),
    signerOrgId: text("signer_org_id").notNull(),
    signerKeyId: text("signer_key_id").notNull(),
    acceptedAtMs: ms("accepted_at_ms").notNull(),
    /** RFC 8785 canonical JSON of the LogEntry: the exact bytes the leaf hash covers. */
    entryCanonical: text("entry_canonical").notNull(),
    leafHash: text("leaf_hash").notNull(),
    /** Ids of the claims this transaction touched, for lineage and history queries. */
    claimIds: text("claim_ids").array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [
    uniqueIndex("ledger_entries_tx_id_unique").on(t.txId),
    index("ledger_entries_claim_ids_idx").using("gin", t.claimIds),
    // Provenance bundles look up key registrations and policies by type.
    index("ledger_entries_type_idx").on(t.type),
    check("ledger_entries_leaf_index_nonnegative", sql`${t.leafIndex} >= 0`),
  ],
);

/**
 * The log's complete Merkle subtree hashes above the leaves (RFC 9162): the node at (level,
 * nodeIndex) is MTH of leaves [nodeIndex * 2^level, (nodeIndex + 1) * 2^level), level ≥ 1 (the
 * leaves' own hashes are ledger_entries.leaf_hash). Written by a trigger in the append's own
 * statement (migration 0017), so every instance reads the same hashes and none fills a store at
 * start-up; an inclusion or consistency proof reads O(log n) of them. Append-only, like the log.
 */
export const logSubtreeHashes = pgTable(
  "log_subtree_hashes",
  {
    level: integer("level").notNull(),
    nodeIndex: ms("node_index").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.nodeIndex] }), check("log_subtree_hashes_level_positive", sql`${t.level} >= 1 and ${t.nodeIndex} >= 0`)],
);

export const ledgerCheckpoints = pgTable("ledger_checkpoints", {
  size: ms("size").primaryKey(),
  rootHash: text("root_hash").notNull(),
  timestampMs: ms("timestamp_ms").notNull(),
  previousCheckpointHash: text("previous_checkpoint_hash"),
  checkpointHash: text("checkpoint_hash").notNull().unique(),
  keyId: text("key_id").notNull(),
  signatureHex: text("signature_hex").notNull(),
  /** The state map's root after this checkpoint (issue 13); null on checkpoints written before it. */
  stateRootHex: text("state_root_hex"),
  /** The C2SP tlog-checkpoint note (origin, size, root, state-root extension) signed by the operator key. */
  note: text("note"),
  /** checkpointTextHash of the note: what a financing offer or disbursement names (null with no note). */
  noteTextHash: text("note_text_hash").unique(),
});

export const ledgerHead = pgTable(
  "ledger_head",
  {
    id: integer("id").primaryKey(),
    size: ms("size").notNull(),
    frontier: jsonb("frontier").$type<unknown>().notNull(),
    lastAcceptedAtMs: ms("last_accepted_at_ms").notNull(),
    lastCheckpointHash: text("last_checkpoint_hash"),
    lastCheckpointSize: ms("last_checkpoint_size").notNull(),
  },
  (t) => [check("ledger_head_single_row", sql`${t.id} = 1`), check("ledger_head_checkpoint_not_ahead", sql`${t.lastCheckpointSize} <= ${t.size}`)],
);

/** The platform operator's own signing key (checkpoints, co-signatures); env wins if set. */
export const platformKeys = pgTable("platform_keys", {
  keyId: text("key_id").primaryKey(),
  privateKeyHex: text("private_key_hex").notNull(),
  publicKeyHex: text("public_key_hex").notNull(),
  createdAtMs: ms("created_at_ms").notNull(),
});

export const ledgerOrganisations = pgTable(
  "ledger_organisations",
  { id: text("id").primaryKey(), name: text("name").notNull(), role: text("role").notNull() },
  (t) => [check("ledger_organisations_role_check", sql`${t.role} in ('core_enterprise','supplier','lender','operator','auditor')`)],
);

export const signingKeys = pgTable(
  "signing_keys",
  {
    keyId: text("key_id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => ledgerOrganisations.id),
    publicKeyHex: text("public_key_hex").notNull().unique(),
    status: text("status").notNull(),
    registeredAtMs: ms("registered_at_ms").notNull(),
    revokedAtMs: ms("revoked_at_ms"),
    /** What the key may sign (contracts/ledger/roles.ts) and the person (a user id) who holds it. */
    role: text("role").notNull(),
    holderUserId: text("holder_user_id").notNull(),
    /** A passkey's parameters (WebAuthn ES256: rpId, origins); null for an Ed25519 key. */
    webauthn: jsonb("webauthn").$type<{ algorithm: "ES256"; rpId: string; origins: string[] }>(),
  },
  (t) => [
    check("signing_keys_status_check", sql`${t.status} in ('active','revoked')`),
    // contracts/ledger/types.ts KEY_ROLES: the business roles and the operator's (checkpoint, onboarding, overdue).
    check("signing_keys_role_check", sql`${t.role} in ('maker','approver','admin','checkpoint','onboarding','overdue')`),
    check("signing_keys_revoked_has_time", sql`(${t.status} = 'revoked') = (${t.revokedAtMs} is not null)`),
    // An Ed25519 key is 32 bytes, a passkey's compressed P-256 key 33, as the contracts require.
    check("signing_keys_public_key_scheme", sql`case when ${t.webauthn} is null then ${t.publicKeyHex} ~ '^[0-9a-f]{64}$' else ${t.publicKeyHex} ~ '^0[23][0-9a-f]{64}$' end`),
    index("signing_keys_org_idx").on(t.orgId),
  ],
);

/** An organisation's maker-checker rules (contracts/ledger/approvals.ts): one row per organisation that set any. */
export const approvalPolicies = pgTable(
  "approval_policies",
  {
    orgId: text("org_id")
      .primaryKey()
      .references(() => ledgerOrganisations.id),
    approvalAboveMinor: amount("approval_above_minor"),
    keyChangeAdmins: integer("key_change_admins").notNull(),
    createdTxId: text("created_tx_id").notNull(),
  },
  (t) => [
    check("approval_policies_key_change_admins_check", sql`${t.keyChangeAdmins} in (1, 2)`),
    check("approval_policies_threshold_not_negative", sql`${t.approvalAboveMinor} is null or ${t.approvalAboveMinor} >= 0`),
  ],
);

export const creditLines = pgTable(
  "credit_lines",
  {
    id: text("id").primaryKey(),
    lenderOrgId: text("lender_org_id").notNull(),
    coreEnterpriseOrgId: text("core_enterprise_org_id").notNull(),
    currency: text("currency").notNull(),
    limitMinor: amount("limit_minor").notNull(),
    usedMinor: amount("used_minor").notNull(),
    expiresAtMs: ms("expires_at_ms").notNull(),
    status: text("status").notNull(),
    createdTxId: text("created_tx_id").notNull(),
  },
  (t) => [
    check("credit_lines_used_in_range", sql`${t.usedMinor} >= 0 and ${t.usedMinor} <= ${t.limitMinor}`),
    check("credit_lines_status_check", sql`${t.status} in ('active','frozen','expired')`),
    check("credit_lines_currency_check", sql`${t.currency} = 'CNY'`),
    index("credit_lines_core_idx").on(t.coreEnterpriseOrgId),
    index("credit_lines_lender_idx").on(t.lenderOrgId),
  ],
);

export const claims = pgTable(
  "claims",
  {
    id: text("id").primaryKey(),
    rootId: text("root_id").notNull(),
    parentId: text("parent_id"),
    issuerOrgId: text("issuer_org_id").notNull(),
    creditLineId: text("credit_line_id")
      .notNull()
      .references(() => creditLines.id),
    holderOrgId: text("holder_org_id").notNull(),
    offeredToOrgId: text("offered_to_org_id"),
    amountMinor: amount("amount_minor").notNull(),
    settledMinor: amount("settled_minor").notNull(),
    currency: text("currency").notNull(),
    maturityDate: text("maturity_date").notNull(),
    depth: integer("depth").notNull(),
    state: text("state").notNull(),
    documents: jsonb("documents").$type<{ invoiceSha256: string; contractSha256: string; deliveryNoteSha256: string; reference?: string } | null>(),
    /**
     * The trade-document reference of an issuance (contracts/ledger/fields.ts isTradeReference),
     * derived from the documents the signed body carries, so it can never disagree with them;
     * null on pieces and on issuances signed without one.
     */
    tradeReference: text("trade_reference").generatedAlwaysAs(sql`("documents" ->> 'reference')`),
    createdTxId: text("created_tx_id").notNull(),
    financedOnce: boolean("financed_once").notNull(),
    activeFinancingId: text("active_financing_id"),
    rootRepaidMinor: amount("root_repaid_minor").notNull(),
  },
  (t) => [
    check("claims_amount_positive", sql`${t.amountMinor} > 0`),
    check("claims_settled_in_range", sql`${t.settledMinor} >= 0 and ${t.settledMinor} <= ${t.amountMinor}`),
    check("claims_state_check", sql`${t.state} in ('offered','held','split','pledged','financed','settled','overdue','withdrawn','rejected')`),
    check("claims_offer_iff_offered", sql`(${t.state} = 'offered') = (${t.offeredToOrgId} is not null)`),
    check("claims_settled_means_paid", sql`${t.state} <> 'settled' or ${t.settledMinor} = ${t.amountMinor}`),
    check("claims_depth_positive", sql`${t.depth} >= 1`),
    check("claims_root_shape", sql`(${t.parentId} is null) = (${t.id} = ${t.rootId})`),
    check("claims_repaid_only_on_root", sql`${t.id} = ${t.rootId} or ${t.rootRepaidMinor} = 0`),
    check("claims_financed_state_needs_financing", sql`${t.state} <> 'financed' or ${t.financedOnce}`),
    check("claims_maturity_date_format", sql`${t.maturityDate} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`),
    check("claims_trade_reference_length", sql`${t.tradeReference} is null or char_length(${t.tradeReference}) between 1 and 80`),
    index("claims_root_idx").on(t.rootId),
    index("claims_holder_idx").on(t.holderOrgId),
    index("claims_offered_to_idx").on(t.offeredToOrgId),
    index("claims_parent_idx").on(t.parentId),
    // One invoice backs at most one live issuance: a root neither cancelled (withdrawn,
    // rejected) nor repaid in full (contracts/ledger/types.ts isLiveIssuance).
    uniqueIndex("claims_one_live_issuance_per_invoice")
      .on(sql`(${t.documents} ->> 'invoiceSha256')`)
      .where(sql`${t.parentId} is null and ${t.state} not in ('withdrawn', 'rejected') and ${t.rootRepaidMinor} < ${t.amountMinor}`),
  ],
);

export const pledges = pgTable(
  "pledges",
  {
    id: text("id").primaryKey(),
    claimId: text("claim_id")
      .notNull()
      .references(() => claims.id),
    pledgorOrgId: text("pledgor_org_id").notNull(),
    lenderOrgId: text("lender_org_id").notNull(),
    status: text("status").notNull(),
    createdTxId: text("created_tx_id").notNull(),
    releasedTxId: text("released_tx_id"),
  },
  (t) => [
    check("pledges_status_check", sql`${t.status} in ('active','released')`),
    // A claim is locked to at most one lender at a time.
    uniqueIndex("pledges_one_active_per_claim").on(t.claimId).where(sql`${t.status} = 'active'`),
    index("pledges_lender_idx").on(t.lenderOrgId),
  ],
);

/**
 * A lender's standing, signed mandate to finance claims of one core enterprise without a
 * person: pieces up to maxAmountMinor, at most maxDepth hand-overs from the issuance,
 * priced at rateBps and feeMinor. At most one policy per lender and core enterprise is
 * active; setting a new one replaces it.
 */
export const financingPolicies = pgTable(
  "financing_policies",
  {
    id: text("id").primaryKey(),
    lenderOrgId: text("lender_org_id").notNull(),
    coreEnterpriseOrgId: text("core_enterprise_org_id").notNull(),
    currency: text("currency").notNull(),
    maxAmountMinor: amount("max_amount_minor").notNull(),
    maxDepth: integer("max_depth").notNull(),
    rateBps: integer("rate_bps").notNull(),
    feeMinor: amount("fee_minor").notNull(),
    recourse: boolean("recourse").notNull(),
    status: text("status").notNull(),
    createdTxId: text("created_tx_id").notNull(),
    endedTxId: text("ended_tx_id"),
  },
  (t) => [
    check("financing_policies_status_check", sql`${t.status} in ('active','replaced','revoked')`),
    check("financing_policies_max_amount_positive", sql`${t.maxAmountMinor} > 0`),
    check("financing_policies_max_depth_positive", sql`${t.maxDepth} >= 1`),
    check("financing_policies_rate_range", sql`${t.rateBps} >= 0 and ${t.rateBps} <= 100000`),
    check("financing_policies_fee_nonnegative", sql`${t.feeMinor} >= 0`),
    check("financing_policies_currency_check", sql`${t.currency} = 'CNY'`),
    check("financing_policies_ended_has_tx", sql`(${t.status} = 'active') = (${t.endedTxId} is null)`),
    // One active policy per lender and core enterprise.
    uniqueIndex("financing_policies_one_active").on(t.lenderOrgId, t.coreEnterpriseOrgId).where(sql`${t.status} = 'active'`),
  ],
);

export const financings = pgTable(
  "financings",
  {
    id: text("id").primaryKey(),
    claimId: text("claim_id")
      .notNull()
      .references(() => claims.id),
    holderOrgId: text("holder_org_id").notNull(),
    lenderOrgId: text("lender_org_id").notNull(),
    status: text("status").notNull(),
    faceMinor: amount("face_minor"),
    rateBps: integer("rate_bps"),
    feeMinor: amount("fee_minor"),
    disbursementDate: text("disbursement_date"),
    interestMinor: amount("interest_minor"),
    netMinor: amount("net_minor"),
    recourse: boolean("recourse"),
    paymentReference: text("payment_reference"),
    declinedByOrgId: text("declined_by_org_id"),
    declineReason: text("decline_reason"),
    /** The lender's auto-financing policy that priced and approved it, if any. */
    policyId: text("policy_id").references(() => financingPolicies.id),
    createdTxId: text("created_tx_id").notNull(),
  },
  (t) => [
    check("financings_status_check", sql`${t.status} in ('requested','offered','accepted','disbursed','declined')`),
    check("financings_net_positive", sql`${t.netMinor} is null or ${t.netMinor} > 0`),
    check("financings_net_below_face", sql`${t.netMinor} is null or ${t.netMinor} <= ${t.faceMinor}`),
    // Financed at most once: never two disbursed financings of one claim.
    uniqueIndex("financings_disbursed_once").on(t.claimId).where(sql`${t.status} = 'disbursed'`),
    // At most one financing in progress per claim.
    uniqueIndex("financings_one_open_per_claim").on(t.claimId).where(sql`${t.status} in ('requested','offered','accepted')`),
    index("financings_lender_idx").on(t.lenderOrgId),
    // Provenance and claim visibility look financings up by claim.
    index("financings_claim_idx").on(t.claimId),
    index("financings_holder_idx").on(t.holderOrgId),
  ],
);

export const repayments = pgTable(
  "repayments",
  {
    id: text("id").primaryKey(),
    rootClaimId: text("root_claim_id")
      .notNull()
      .references(() => claims.id),
    amountMinor: amount("amount_minor").notNull(),
    paymentReference: text("payment_reference").notNull(),
    allocations: jsonb("allocations").$type<{ claimId: string; holderOrgId: string; amountMinor: string }[]>().notNull(),
    createdTxId: text("created_tx_id").notNull(),
  },
  (t) => [check("repayments_amount_positive", sql`${t.amountMinor} > 0`), index("repayments_root_idx").on(t.rootClaimId)],
);

/** Nonces used per signing key: a nonce is spent once, like the money it protects. */
export const ledgerNonces = pgTable(
  "ledger_nonces",
  { orgId: text("org_id").notNull(), keyId: text("key_id").notNull(), nonce: text("nonce").notNull() },
  (t) => [primaryKey({ columns: [t.orgId, t.keyId, t.nonce] })],
);
