import { TRPCClientError } from "@trpc/client";

/**
 * The message to show a person for a failed call: the server's own words for known errors,
 * and the words of local errors (a cancelled unlock, a missing key) which are written for people.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { fieldErrors?: { path: string; message: string }[] | null } | undefined;
    const first = data?.fieldErrors?.[0];
    if (first) return `${first.path ? `${first.path}: ` : ""}${first.message}`;
    return error.message;
  }
  if (error instanceof Error && error.name !== "TypeError") return error.message;
  return "The request failed. Check your connection and try again.";
}
