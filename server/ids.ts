import { randomBytes } from "node:crypto";

/** Random, URL-safe ids for off-ledger records (organisations, users). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString("hex")}`;
}

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}
