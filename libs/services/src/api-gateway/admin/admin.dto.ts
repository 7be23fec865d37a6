import { z } from 'zod';
import { ADMIN_ACTIONS, ADMIN_ROLES, APP_ID, WORKSPACE_ID } from '@pushsync/tenancy';

export const CreateAppRequest = z.strictObject({
  appId: z.string().regex(APP_ID, 'must be 1-64 of [A-Za-z0-9-]'),
  workspaceId: z.string().regex(WORKSPACE_ID, 'must be 1-64 of [A-Za-z0-9_-]'),
  name: z.string().min(1).max(100).optional(),
});

export const ChangeSettingsRequest = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  apiEnabled: z.boolean().optional(),
  signatureEnabled: z.boolean().optional(),
  rsaPublicKey: z.string().regex(/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/, 'must be a PEM public key').nullable().optional(),
  timeZone: z.string().regex(/^[+-](0\d|1[0-4]):[0-5]\d$/, 'must be a UTC offset such as +08:00').optional(),
  retentionDays: z.number().int().min(1).max(30).optional(),
  syncValidationUrl: z.string().max(2048).refine(isHttpUrl, 'must be an http or https URL').nullable().optional(),
  receiptStatus: z.boolean().optional(),
  receiptUrl: z.string().max(2048).refine(isHttpUrl, 'must be an http or https URL').nullable().optional(),
});

function isHttpUrl(text: string): boolean {
  const url = URL.parse(text);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

export const IssueAdminKeyRequest = z.strictObject({
  name: z.string().min(1).max(100),
  role: z.enum(ADMIN_ROLES),
  apps: z.array(z.string().min(3).max(130)).max(1000).default([]),
});

export const OperationQueryParams = z.strictObject({
  instanceId: z.string().min(3).max(130).optional(),
  operator: z.string().min(1).max(100).optional(),
  action: z.enum(ADMIN_ACTIONS).optional(),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});
