/**
 * What to tell a person when the ledger refuses a transaction: the text of its result code,
 * from the one table both the server and the browser use (contracts/ledger/refusals.ts,
 * keyed by the result-code type, so every code has a text). The detail of the failed
 * check (amounts, states) is for logs and support, not for the person.
 */
export { refusalText, type Refusal, type RefusalCode } from "@/contracts/ledger/refusals";
