import { z } from "zod";
import { API_KEY_SCOPES, createApiKey, listApiAudit, listApiKeys, revokeApiKey } from "../../commands/api-keys";
import { createWebhookEndpoint, listWebhookDeliveries, listWebhookEndpoints, redeliverWebhook, setWebhookEndpointEnabled, WEBHOOK_EVENTS } from "../../commands/webhooks";
import { orgProcedure, router } from "../init";

/** Settings → Integrations: an organisation admin's API keys, their audit log, webhook endpoints and deliveries. */
export const integrationsRouter = router({
  apiKeys: orgProcedure.query(({ ctx }) => listApiKeys(ctx.db, ctx.actor, ctx.runtime.clock())),
  createApiKey: orgProcedure
    .input(z.object({ name: z.string().max(100), scopes: z.array(z.enum(API_KEY_SCOPES)).min(1), expiresInDays: z.number().int() }))
    .mutation(({ ctx, input }) => createApiKey(ctx.db, ctx.actor, input, ctx.runtime.clock())),
  revokeApiKey: orgProcedure.input(z.object({ keyId: z.string().max(64) })).mutation(({ ctx, input }) => revokeApiKey(ctx.db, ctx.actor, input.keyId, ctx.runtime.clock())),
  audit: orgProcedure.query(({ ctx }) => listApiAudit(ctx.db, ctx.actor)),
  webhookEvents: orgProcedure.query(() => [...WEBHOOK_EVENTS]),
  webhookEndpoints: orgProcedure.query(({ ctx }) => listWebhookEndpoints(ctx.db, ctx.actor)),
  createWebhookEndpoint: orgProcedure
    .input(z.object({ url: z.string().max(2000), events: z.array(z.string().max(60)).max(40) }))
    .mutation(({ ctx, input }) => createWebhookEndpoint(ctx.db, ctx.actor, input, { nowMs: ctx.runtime.clock() })),
  setWebhookEndpointEnabled: orgProcedure
    .input(z.object({ endpointId: z.string().max(64), enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setWebhookEndpointEnabled(ctx.db, ctx.actor, input.endpointId, input.enabled)),
  webhookDeliveries: orgProcedure.query(({ ctx }) => listWebhookDeliveries(ctx.db, ctx.actor)),
  redeliver: orgProcedure.input(z.object({ deliveryId: z.string().max(64) })).mutation(({ ctx, input }) => redeliverWebhook(ctx.db, ctx.actor, input.deliveryId, ctx.runtime.clock())),
});
