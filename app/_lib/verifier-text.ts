import type { useTranslations } from "next-intl";
import type { ProvenanceCode } from "@/contracts/provenance";

/**
 * Every code the provenance verifier can fail with; a new code in contracts/provenance.ts does
 * not compile until it is named here, and the catalogue test asks for its text in both languages.
 */
export const PROVENANCE_FAILURE_CODES = {
  bundle_malformed: true,
  checkpoint_invalid: true,
  entries_not_ascending: true,
  entry_beyond_checkpoint: true,
  inclusion_proof_missing: true,
  inclusion_proof_invalid: true,
  genesis_missing: true,
  genesis_key_mismatch: true,
  accepted_at_decreased: true,
  contract_refused: true,
  invariant_violated: true,
  claim_not_in_bundle: true,
  lineage_broken: true,
  state_proof_missing: true,
  checkpoint_note_invalid: true,
  state_proof_invalid: true,
  state_leaf_mismatch: true,
} as const satisfies Record<ProvenanceCode, true>;

type Translate = ReturnType<typeof useTranslations<never>>;

/**
 * What a failed verification means, in the reader's language, from its code: the provenance
 * verifier's codes (provenance.failures), else the trust checks' (trust.checks). A bundle-trust
 * failure wrapping a provenance failure ("provenance_failed" with detail "lineage_broken: …")
 * is told by the inner code, which says more.
 */
export function verifierFailureText(t: Translate, code: string, detail = ""): string {
  const inner = code === "provenance_failed" ? /^([a-z_]+):/.exec(detail)?.[1] : undefined;
  for (const candidate of inner ? [inner, code] : [code]) {
    if (t.has(`provenance.failures.${candidate}`)) return t(`provenance.failures.${candidate}`);
    if (t.has(`trust.checks.${candidate}`)) return t(`trust.checks.${candidate}`);
  }
  return t("provenance.failures.other", { code: code.replaceAll("_", " ") });
}
