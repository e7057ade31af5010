export * from "../enums";
export * from "./organisations";
export * from "./users";
export * from "./ledger";
export * from "./key-requests";
export * from "./jobs";
export * from "./trust";
