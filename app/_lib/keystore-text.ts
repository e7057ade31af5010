import type { useTranslations } from "next-intl";
import { MIN_PASSPHRASE_LENGTH, type KeystoreError } from "./keystore";

type Translate = ReturnType<typeof useTranslations<never>>;

/** The arguments each keystore message takes when the error does not name them (messages/*.json keystore). */
const KEYSTORE_DEFAULTS: Record<string, string> = { keyId: "none", detail: "none", when: "access", orgId: "", expectedOrgId: "" };

/** A keystore failure in the reader's language: the catalogue's words for its code, with what it names. */
export function keystoreErrorText(t: Translate, error: KeystoreError): string {
  return t(`keystore.${error.code}`, { ...KEYSTORE_DEFAULTS, min: String(MIN_PASSPHRASE_LENGTH), ...error.params });
}
