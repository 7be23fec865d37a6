import { applyDecorators, Body, type PipeTransform } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidationError } from '@pushsync/platform';

/** Names the first offending field, e.g. `workspaceId: expected string, received number`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => (path ? `${path}.${k}` : k)).join(', ')}`;
      return `${path || 'body'}: ${issue.message}`;
    })
    .join('; ');
}

/** `numericCode`: the push face answers 3028 INVALID_PARAM with its number (mps.md §3.17). */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform {
  public constructor(
    private readonly schema: S,
    private readonly numericCode?: number,
  ) {}

  public transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (!result.success) throw new ValidationError(describeZodError(result.error), 'INVALID_PARAM', this.numericCode);
    return result.data;
  }
}

/** Validates the JSON body against a strict zod schema and documents it in the OpenAPI document. */
export function ValidBody<S extends z.ZodType>(schema: S): ParameterDecorator {
  return Body(new ZodValidationPipe(schema));
}

export function ApiJsonBody<S extends z.ZodType>(schema: S, description?: string): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiBody({ description, schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown> }));
}
