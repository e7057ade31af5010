import { apiV1Handler } from "@/server/api/http";

export const dynamic = "force-dynamic";

export { apiV1Handler as GET, apiV1Handler as POST, apiV1Handler as PUT, apiV1Handler as PATCH, apiV1Handler as DELETE };
