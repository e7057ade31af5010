import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

import type { OrganisationRole } from "../../contracts/ledger/types";
import type { OrgStatus } from "../enums";

export const organisations = pgTable(
  "organisations",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    role: text("role").$type<OrganisationRole>().notNull(),
    status: text("status").$type<OrgStatus>().notNull().default("pending"),
    city: text("city").notNull().default(""),
    registrationNumber: text("registration_number").notNull().default(""),
    reviewNote: text("review_note"),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    reviewedByUserId: text("reviewed_by_user_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("organisations_role_check", sql`${t.role} in ('core_enterprise','supplier','lender','operator','auditor')`),
    check("organisations_status_check", sql`${t.status} in ('pending','approved','rejected')`),
    check("organisations_name_not_blank", sql`length(trim(${t.name})) > 0`),
    index("organisations_status_idx").on(t.status),
  ],
);
