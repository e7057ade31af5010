import { NextResponse, type NextRequest } from "next/server";

/*
 * The Content Security Policy, with a fresh nonce for every request (issue 14, deliverable 7).
 * Next.js inlines its bootstrap scripts (self.__next_f.push) into each page; with a nonce in
 * the policy it finds on the request, it puts that nonce on every script it renders, so scripts
 * need no 'unsafe-inline': only a script carrying this response's nonce runs, and what such a
 * script loads ('strict-dynamic', the framework's chunks). An injected <script> cannot guess
 * the nonce. Every page is rendered per request already (the layout reads the locale cookie),
 * so the nonce costs no static rendering.
 *
 * Styles keep 'unsafe-inline' (React's style attributes); everything else is pinned to this
 * origin as before: no plugins, no framing, no foreign forms, no <base> rewriting, fetches only
 * to this origin. The dev server also needs eval (React Refresh) and its websocket.
 */

const isDev = process.env.NODE_ENV === "development";

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${isDev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "worker-src 'self' blob:",
    "manifest-src 'self'",
  ].join("; ");
}

/** 128 random bits, base64: unguessable, and a valid nonce-source. */
function freshNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

export function proxy(request: NextRequest): NextResponse {
  const nonce = freshNonce();
  const policy = contentSecurityPolicy(nonce);
  // Next.js reads the nonce from the request's policy header when it renders the page.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Every answer but the build's static files, which are scripts and styles themselves.
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico).*)" }],
};
