/** Placeholder slot filled by the ledger release: the latest signed checkpoint. */
export function LedgerPanel() {
  return null;
}
