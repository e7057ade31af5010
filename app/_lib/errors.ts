import { TRPCClientError } from "@trpc/client";

/** The message to show a person for a failed call: the server's own words for known errors. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { fieldErrors?: { path: string; message: string }[] | null } | undefined;
    const first = data?.fieldErrors?.[0];
    if (first) return `${first.path ? `${first.path}: ` : ""}${first.message}`;
    return error.message;
  }
  return "The request failed. Check your connection and try again.";
}
