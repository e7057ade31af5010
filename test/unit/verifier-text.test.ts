import { describe, expect, it } from "vitest";
import { createTranslator } from "next-intl";
import { verifierFailureText } from "@/app/_lib/verifier-text";
import en from "@/messages/en.json";
import zh from "@/messages/zh-CN.json";

type Translate = Parameters<typeof verifierFailureText>[0];
const zhT = createTranslator({ locale: "zh-CN", messages: zh }) as unknown as Translate;
const enT = createTranslator({ locale: "en", messages: en }) as unknown as Translate;

describe("verifierFailureText: a verifier's failure in the reader's language, from its code", () => {
  it.each([
    // [code, detail, the catalogue text expected]
    ["lineage_broken", "root c_1 was not created by a claim.issue in the bundle", zh.provenance.failures.lineage_broken],
    ["inclusion_proof_invalid", "root_mismatch: …", zh.provenance.failures.inclusion_proof_invalid],
    ["quorum_not_met", "1 of 2", zh.trust.checks.quorum_not_met],
    // A bundle-trust failure wrapping a provenance failure is told by the inner code.
    ["provenance_failed", "contract_refused: claim_not_held_by_signer", zh.provenance.failures.contract_refused],
    ["provenance_failed", "something else entirely", zh.trust.checks.provenance_failed],
  ])("%s (%s)", (code, detail, expected) => {
    expect(verifierFailureText(zhT, code, detail)).toBe(expected);
  });

  it("never shows the verifier's English detail in Chinese; an unknown code is named in the fallback sentence", () => {
    expect(verifierFailureText(zhT, "lineage_broken", "root c_1 was not created")).not.toContain("root");
    expect(verifierFailureText(zhT, "verification_error", "TypeError: x")).toBe("核验未通过（verification error）。");
    expect(verifierFailureText(enT, "genesis_missing")).toBe(en.provenance.failures.genesis_missing);
  });
});
