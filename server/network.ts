import { serverEnv } from "./env";

/**
 * The network (deployment) id of this ledger, from the NETWORK_ID setting (the demo's id by
 * default): every transaction signed here names it, and the contracts refuse one that names
 * another (network_id_mismatch). Pages hand it to the browser, which signs with it.
 */
export function ledgerNetworkId(): string {
  return serverEnv().NETWORK_ID;
}
