import { getToken } from "next-auth/jwt";

/*
 * Who a request's session cookie names, read the cheap way. next-auth's getServerSession runs
 * its whole session endpoint for that: it decrypts the cookie, then encrypts a fresh token (two
 * more HKDF derivations and an encryption) for a Set-Cookie that a server component or route
 * handler of the App Router throws away (next-auth/next: in that mode its response's setCookie
 * does nothing). Decrypting is all it takes to know the user: the token is authenticated
 * encryption under NEXTAUTH_SECRET, and its expiry is checked on the way.
 */

/** The cookies of a request, as next/headers' cookies() and NextRequest give them. */
export interface CookieJar {
  getAll(): { name: string; value: string }[];
}

/**
 * The user id (the token's `sub`, set by the jwt callback in options.ts) of a valid, unexpired
 * session cookie, or null. Only the cookie counts: no Authorization header, as with
 * getServerSession. The cookie's name follows next-auth's (`__Secure-` when NEXTAUTH_URL is
 * https); a token split over several cookies (.0, .1, ...) is joined as next-auth does.
 */
export async function sessionUserId(cookies: CookieJar, secret: string, secureCookie = process.env.NEXTAUTH_URL?.startsWith("https://") ?? false): Promise<string | null> {
  const token = await getToken({ req: { cookies, headers: {} } as unknown as Parameters<typeof getToken>[0]["req"], secret, secureCookie, logger: SILENT });
  return typeof token?.sub === "string" ? token.sub : null;
}

/** A cookie that cannot be decrypted is just no session; next-auth would log it as an error. */
const SILENT = { error() {}, warn() {}, debug() {} };
