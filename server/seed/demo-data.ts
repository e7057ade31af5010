import type { OrganisationRole } from "@/contracts/ledger/types";
import type { Permission } from "@/db/schema";
import { OPERATOR_ORG_ID } from "../platform/signer";

/** The demo supply chain: fixed ids so the README, tests and e2e can name them. */
export const DEMO_PASSWORD = "doublechain-demo";

/** The id of the demo organisation's `index`th user (0: its first, an admin, who holds its demo key). */
export function demoUserId(orgId: string, index = 0): string {
  return `usr_${orgId.slice(4)}_${index + 1}`;
}

export interface DemoOrg {
  id: string;
  name: string;
  role: OrganisationRole;
  city: string;
  registrationNumber: string;
  status: "approved" | "pending";
  users: { email: string; name: string; permission: Permission }[];
}

export const DEMO_ORGS: DemoOrg[] = [
  {
    id: OPERATOR_ORG_ID,
    name: "Double-chain Operations",
    role: "operator",
    city: "Shenzhen",
    registrationNumber: "91440300MA5DC00012",
    status: "approved",
    users: [{ email: "operator@demo.doublechain.cn", name: "Wang Lei", permission: "admin" }],
  },
  {
    id: "org_huaxin",
    name: "Huaxin Electronics Co., Ltd.",
    role: "core_enterprise",
    city: "Shenzhen",
    registrationNumber: "91440300192241158P",
    status: "approved",
    users: [
      { email: "core@demo.doublechain.cn", name: "Chen Jing", permission: "admin" },
      { email: "core.viewer@demo.doublechain.cn", name: "Zhou Min", permission: "viewer" },
      // The approver (复核) of issuances above the core enterprise's approval policy's threshold.
      { email: "core.approver@demo.doublechain.cn", name: "Wu Fang", permission: "approver" },
    ],
  },
  {
    id: "org_pearl",
    name: "Pearl River Assembly Ltd.",
    role: "supplier",
    city: "Dongguan",
    registrationNumber: "91441900MA4UH3RK2C",
    status: "approved",
    users: [{ email: "tier1@demo.doublechain.cn", name: "Li Na", permission: "admin" }],
  },
  {
    id: "org_lingnan",
    name: "Lingnan PCB Manufacturing Co.",
    role: "supplier",
    city: "Huizhou",
    registrationNumber: "91441300MA52F7XQ92",
    status: "approved",
    users: [{ email: "tier2@demo.doublechain.cn", name: "Huang Wei", permission: "admin" }],
  },
  {
    id: "org_xinyuan",
    name: "Chengdu Xinyuan Components",
    role: "supplier",
    city: "Chengdu",
    registrationNumber: "92510100MA6CJ8L31F",
    status: "approved",
    users: [{ email: "tier3@demo.doublechain.cn", name: "Zhang Yu", permission: "admin" }],
  },
  {
    id: "org_cmtb",
    name: "China Merchants Trade Bank",
    role: "lender",
    city: "Shenzhen",
    registrationNumber: "91440300100005271K",
    status: "approved",
    users: [{ email: "bank@demo.doublechain.cn", name: "Liu Yang", permission: "admin" }],
  },
  {
    id: "org_gbfactor",
    name: "Greater Bay Factoring Co.",
    role: "lender",
    city: "Guangzhou",
    registrationNumber: "91440101MA9XY2K702",
    status: "approved",
    users: [{ email: "factor@demo.doublechain.cn", name: "Sun Hui", permission: "admin" }],
  },
  {
    id: "org_zhengxin",
    name: "Zhengxin Audit & Assurance",
    role: "auditor",
    city: "Beijing",
    registrationNumber: "91110105MA01RX6G3G",
    status: "approved",
    users: [{ email: "auditor@demo.doublechain.cn", name: "Zhao Qing", permission: "viewer" }],
  },
  {
    id: "org_metalworks",
    name: "Guangzhou Precision Metalworks",
    role: "supplier",
    city: "Guangzhou",
    registrationNumber: "91440101MA5CK1N48P",
    status: "pending",
    users: [{ email: "pending@demo.doublechain.cn", name: "Ma Jun", permission: "admin" }],
  },
];
