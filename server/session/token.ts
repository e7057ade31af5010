import { decode, getToken, type JWT, type JWTDecodeParams } from "next-auth/jwt";

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
export async function sessionUserId(
  cookies: CookieJar,
  secret: string,
  secureCookie = process.env.NEXTAUTH_URL?.startsWith("https://") ?? false,
  nowMs = Date.now(),
): Promise<string | null> {
  const token = await getToken({ req: { cookies, headers: {} } as unknown as Parameters<typeof getToken>[0]["req"], secret, secureCookie, logger: SILENT, decode: (params) => decodeRemembered(params, nowMs) });
  return typeof token?.sub === "string" ? token.sub : null;
}

/*
 * A browser sends the same cookie with every request, and next-auth's decode derives its key
 * from the secret with HKDF on every call before it decrypts (HKDF alone was 3% of the
 * server's CPU in the bench's profile). A token is
 * authenticated encryption, so the same text under the same secret always decrypts to the
 * same payload: the payloads of tokens that decrypted are remembered by their text, and a
 * remembered one is still refused once its expiry passes (with jose's 15 s tolerance, as
 * next-auth's decode). Who the user is and whether they may still act is read from the
 * database on every request as before (loadActor), so disabling a user or an organisation
 * still takes effect at once. At most REMEMBERED_LIMIT tokens; the map is emptied when full.
 */
const remembered = new Map<string, { payload: JWT; expiresAtMs: number }>();
const REMEMBERED_LIMIT = 10_000;
const CLOCK_TOLERANCE_MS = 15_000;

async function decodeRemembered(params: JWTDecodeParams, nowMs: number): Promise<JWT | null> {
  const key = `${params.secret.length}:${params.secret}:${params.token ?? ""}`;
  const hit = remembered.get(key);
  if (hit !== undefined) {
    if (hit.expiresAtMs + CLOCK_TOLERANCE_MS > nowMs) return hit.payload;
    remembered.delete(key);
    return null;
  }
  const payload = await decode(params);
  if (payload !== null && typeof payload.exp === "number") {
    if (remembered.size >= REMEMBERED_LIMIT) remembered.clear();
    remembered.set(key, { payload, expiresAtMs: payload.exp * 1000 });
  }
  return payload;
}

/** A cookie that cannot be decrypted is just no session; next-auth would log it as an error. */
const SILENT = { error() {}, warn() {}, debug() {} };
