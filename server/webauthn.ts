import { serverEnv } from "./env";

/**
 * The WebAuthn relying party of this deployment: the rpId its passkeys are created for and
 * the exact origins of its pages. A passkey registered as a signing key must name exactly
 * this rpId and only these origins, so the ledger never commits a key for another site.
 * WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS (comma-separated) set it; without them it is the
 * host and origin of NEXTAUTH_URL. Browsers refuse an IP address as rpId, so a deployment
 * reached by IP has no passkeys (null).
 */
export interface RelyingParty {
  rpId: string;
  origins: string[];
}

export function relyingParty(): RelyingParty | null {
  const env = serverEnv();
  if (env.WEBAUTHN_RP_ID) {
    const origins = (env.WEBAUTHN_ORIGINS ?? `https://${env.WEBAUTHN_RP_ID}`).split(",").map((origin) => origin.trim()).filter(Boolean);
    return { rpId: env.WEBAUTHN_RP_ID, origins };
  }
  const url = process.env.NEXTAUTH_URL ? safeUrl(process.env.NEXTAUTH_URL) : null;
  if (url === null || /^[0-9.]+$/.test(url.hostname) || url.hostname.includes(":")) return null;
  return { rpId: url.hostname, origins: [url.origin] };
}

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** Why a passkey's parameters do not belong to this deployment, or null when they do. */
export function passkeyParametersProblem(parameters: { rpId: string; origins: string[] }, party: RelyingParty | null): string | null {
  if (party === null) return "This deployment does not offer passkeys (its address is not a domain name).";
  if (parameters.rpId !== party.rpId) return `The passkey was made for ${parameters.rpId}, this site is ${party.rpId}.`;
  const foreign = parameters.origins.filter((origin) => !party.origins.includes(origin));
  return foreign.length === 0 ? null : `The passkey names origins this site does not serve: ${foreign.join(", ")}.`;
}
