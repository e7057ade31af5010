/** Signing keys: registration (self-signed; cosigned by the operator for an organisation's first key, by its own keys after), rotation, revocation. */
import { z } from "zod";
import { applyKeyRegister, applyKeyRotate, applyKeyRevoke } from "../keys";
import { KEY_REGISTER_CODES, KEY_ROTATE_CODES, KEY_REVOKE_CODES } from "../codes";
import { orgIdSchema, keyIdSchema, publicKeyHexSchema, reasonSchema, organisationNameSchema, userIdSchema } from "../fields";
import { KEY_ROLES, ORGANISATION_ROLES } from "../types";
import { defineKind, namesNothing, approvedSigner } from "./descriptor";

export const keyRegister = defineKind({
  type: "key.register",
  body: z
    .object({
      orgId: orgIdSchema,
      orgName: organisationNameSchema,
      role: z.enum(ORGANISATION_ROLES),
      publicKeyHex: publicKeyHexSchema,
      keyId: keyIdSchema,
      keyRole: z.enum(KEY_ROLES),
      holderUserId: userIdSchema,
    })
    .strict(),
  codes: KEY_REGISTER_CODES,
  transition: applyKeyRegister,
  prefetch: (transaction) => ({ orgIds: [transaction.body.orgId], keyIds: [transaction.body.keyId], hasKeys: true }),
  names: namesNothing,
  lineage: "key-introduction",
  signing: {
    signer: "key-it-registers",
    cosigners: "operator-or-organisation",
    introducesKey: (body) => ({ keyId: body.keyId, publicKeyHex: body.publicKeyHex }),
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
    introducesKey: (body) => ({ keyId: body.newKeyId, publicKeyHex: body.newPublicKeyHex }),
  },
});

export const keyRevoke = defineKind({
  type: "key.revoke",
  body: z.object({ orgId: orgIdSchema, keyId: keyIdSchema, reason: reasonSchema }).strict(),
  codes: KEY_REVOKE_CODES,
  transition: applyKeyRevoke,
  prefetch: (transaction) => ({ orgIds: [transaction.body.orgId], keyIds: [transaction.body.keyId] }),
  names: namesNothing,
  lineage: "none",
  signing: approvedSigner,
});
