/**
 * The first run of `npm run dev` compiles each route on its first visit, which made a new
 * user wait 7–13 s per page. Before telling anyone where to go, dev.ts signs in as each kind
 * of demo user (through next-auth's own credentials endpoint, as the sign-in form does) and
 * visits their main pages once, so Next.js has compiled them by the time a person arrives.
 */

/** The pages each demo login lands on first; together they cover every role's navigation. */
export const WARM_ROUTES: Record<string, string[]> = {
  // The tRPC endpoint is what every page's browser code calls; a claim page compiles for any id.
  core: ["/dashboard", "/issuances", "/issue", "/credit-lines", "/api/trpc/ledger.status"],
  tier1: ["/claims", "/claims/c_warmup", "/financing"],
  bank: ["/financing", "/financing/policies", "/trust"],
  operator: ["/operator/organisations", "/keys"],
};

/** A cookie jar of one: the `name=value` pairs of the Set-Cookie headers seen so far. */
function mergeCookies(jar: Map<string, string>, response: Response): void {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const at = pair?.indexOf("=") ?? -1;
    if (pair && at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");

/** Signs in with next-auth's credentials provider and returns the session cookies. */
export async function signInCookies(baseUrl: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  mergeCookies(jar, csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const signedIn = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  mergeCookies(jar, signedIn);
  if (![...jar.keys()].some((name) => name.endsWith("next-auth.session-token"))) throw new Error(`sign-in as ${email} did not give a session (HTTP ${signedIn.status})`);
  return cookieHeader(jar);
}

/** Waits until the server answers at all (the dev server takes a few seconds to listen). */
export async function waitForServer(baseUrl: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(`${baseUrl}/healthz`);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * Visits the sign-in page and every route in WARM_ROUTES as its demo user, all at once (the
 * dev server compiles routes side by side). A route that fails is reported and skipped:
 * warming is a courtesy, never a reason for the dev server not to run.
 */
export async function warmRoutes(baseUrl: string, emailDomain: string, password: string, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  await fetch(`${baseUrl}/signin`).catch(() => undefined);
  const visit = async (route: string, cookie: string): Promise<number> => {
    const answer = await fetch(`${baseUrl}${route}`, { headers: { cookie }, redirect: "manual" }).catch(() => null);
    if (answer?.ok) return 1;
    log(`  (${route} answered ${answer?.status ?? "nothing"} while preparing it)`);
    return 0;
  };
  const counts = await Promise.all(
    Object.entries(WARM_ROUTES).map(async ([login, routes]) => {
      const cookie = await signInCookies(baseUrl, `${login}@${emailDomain}`, password).catch((error: unknown) => {
        log(`  (could not sign in as ${login} to prepare its pages: ${String(error)})`);
        return null;
      });
      return cookie ? (await Promise.all(routes.map((route) => visit(route, cookie)))).reduce((a, b) => a + b, 0) : 0;
    }),
  );
  log(`Prepared ${counts.reduce((a, b) => a + b, 0)} pages in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}
