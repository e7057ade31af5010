import { TRPCClientError } from "@trpc/client";
import { useTranslations } from "next-intl";
import { KeystoreError } from "./keystore";
import { keystoreErrorText } from "./keystore-text";
import { PasskeyError } from "./passkeys";
import { SignerError } from "./signing-context";

type Translate = ReturnType<typeof useTranslations<never>>;

/**
 * The message to show a person for a failed call: the server's own words for known errors,
 * and, in the reader's language, the words for local errors (a cancelled unlock, a missing
 * key, a damaged key file) and for a request that never reached the server.
 */
export function errorMessage(error: unknown, t: Translate): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { fieldErrors?: { path: string; message: string }[] | null } | undefined;
    const first = data?.fieldErrors?.[0];
    if (first) return `${first.path ? `${first.path}: ` : ""}${first.message}`;
    return error.message;
  }
  if (error instanceof SignerError) return t(`signer.${error.code}`);
  if (error instanceof KeystoreError) return keystoreErrorText(t, error);
  if (error instanceof PasskeyError) return t(`passkeyErrors.${error.code}`);
  if (error instanceof Error && error.name !== "TypeError") return error.message;
  return t("errors.network");
}

/** errorMessage with the component's translator. */
export function useErrorMessage(): (error: unknown) => string {
  const t = useTranslations();
  return (error) => errorMessage(error, t);
}
