/** Signing keys: registration (self-signed; cosigned by the operator for an organisation's first key, by its own keys after), rotation, revocation. */
import { z } from "zod";
import { applyKeyRegister, applyKeyRotate, applyKeyRevoke } from "../keys";
import { KEY_REGISTER_CODES, KEY_ROTATE_CODES, KEY_REVOKE_CODES } from "../codes";
import { orgIdSchema, keyIdSchema, p256PublicKeyHexSchema, publicKeyHexSchema, reasonSchema, organisationNameSchema, userIdSchema, webauthnKeyParametersSchema } from "../fields";
import { KEY_ROLES, ORGANISATION_ROLES } from "../types";
import { defineKind, namesNothing, approvedSigner } from "./descriptor";

export const keyRegister = defineKind({
  type: "key.register",
  body: z
    .object({
      orgId: orgIdSchema,
      orgName: organisationNameSchema,
      role: z.enum(ORGANISATION_ROLES),
      // An Ed25519 key, or a passkey's P-256 key when webauthn is present (the contract checks which).
      publicKeyHex: z.union([publicKeyHexSchema, p256PublicKeyHexSchema]),
      keyId: keyIdSchema,
      keyRole: z.enum(KEY_ROLES),
      holderUserId: userIdSchema,
      webauthn: webauthnKeyParametersSchema.optional(),
    })
    .strict(),
  codes: KEY_REGISTER_CODES,
  transition: applyKeyRegister,
  // Its cosigners' key sets come too (kinds/index.ts prefetchKeys): whether an onboarding's cosigner holds the onboarding role.
  prefetch: (transaction) => ({ orgIds: [transaction.body.orgId], keyIds: [transaction.body.keyId], hasKeys: true }),
  names: namesNothing,
  lineage: "key-introduction",
  signing: {
    signer: "key-it-registers",
    cosigners: "operator-or-organisation",
    introducesKey: (body) => ({ keyId: body.keyId, publicKeyHex: body.publicKeyHex, webauthn: body.webauthn ?? null }),
  },
});

export const keyRotate = defineKind({
  type: "key.rotate",
  body: z
    .object({ orgId: orgIdSchema, oldKeyId: keyIdSchema, newKeyId: keyIdSchema, newPublicKeyHex: publicKeyHexSchema })
    .strict(),
  codes: KEY_ROTATE_CODES,
  transition: applyKeyRotate,
  prefetch: (transaction) => ({ orgIds: [transaction.body.orgId], keyIds: [transaction.body.oldKeyId, transaction.body.newKeyId] }),
  names: namesNothing,
  lineage: "key-introduction",
  signing: {
    signer: "registered-key",
    cosigners: "new-key",
    introducesKey: (body) => ({ keyId: body.newKeyId, publicKeyHex: body.newPublicKeyHex, webauthn: null }),
  },
});

export const keyRevoke = defineKind({
  type: "key.revoke",
  body: z.object({ orgId: orgIdSchema, keyId: keyIdSchema, reason: reasonSchema }).strict(),
  codes: KEY_REVOKE_CODES,
  transition: applyKeyRevoke,
  prefetch: (transaction) => ({ orgIds: [transaction.body.orgId], keyIds: [transaction.body.keyId], keySets: [transaction.body.orgId] }),
  names: namesNothing,
  lineage: "none",
  signing: approvedSigner,
});
