import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ValidationError } from '@pushsync/platform';
import { ZodValidationPipe } from '@pushsync/runtime';

/** 3028 INVALID_PARAM: wrong types, unknown fields and malformed query parameters on the push face. */
export const INVALID_PARAM = 3028;

/**
 * Push-face parameters: a missing or empty appId/workspaceId is 3003 NEED_APPID_WORKSPACEID
 * (mps.md §3.17); any other type or unknown-field problem is 3028 INVALID_PARAM naming the field.
 */
export class PushParams<S extends z.ZodType> implements PipeTransform {
  private readonly zod: ZodValidationPipe<S>;

  public constructor(schema: S) {
    this.zod = new ZodValidationPipe(schema, INVALID_PARAM);
  }

  public transform(value: unknown): z.infer<S> {
    const params = (value ?? {}) as Record<string, unknown>;
    const missing = ['appId', 'workspaceId'].filter((name) => params[name] === undefined || params[name] === '');
    if (missing.length > 0) throw new ValidationError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} empty`, 'NEED_APPID_WORKSPACEID', 3003);
    return this.zod.transform(value);
  }
}

