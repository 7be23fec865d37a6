import { DomainError, type ErrorKind } from '@pushsync/platform';

/** The push result codes (mps.md §3.17) the templates domain answers, by name. */
export const TEMPLATE_RESULT_CODES = {
  TEMPLATE_NOT_EXIST: 3022,
  TEMPLATEKV_NOT_ENOUGH: 3023,
  INVALID_PARAM: 3028,
  TEMPLATE_ALREADY_EXIST: 3036,
  TEMPLATE_NAME_NULL: 3037,
  TEMPLATE_NAME_INVALID: 3038,
  TEMPLATE_CONTENT_INVALID: 3039,
  TEMPLATE_TITLE_INVALID: 3040,
  TEMPLATE_DESC_INFO_INVALID: 3041,
  TEMPLATE_URI_INVALID: 3042,
  SINGLE_PUSH_CONTENT_TOO_LONG: 3043,
  TEMPLATE_NUM_TOO_MUCH: 3056,
} as const;

export type TemplateResultCode = keyof typeof TEMPLATE_RESULT_CODES;

/**
 * A refusal of the templates domain: the mps.md §3.17 name as `code`, its number as `numericCode`.
 * Rule violations (a duplicate name and the count limit included) are `validation` (HTTP 400 per
 * DECISIONS D2, which has no 409); an unknown template is `not-found` (404).
 */
export class TemplateRuleError extends DomainError {
  public constructor(code: TemplateResultCode, message: string, kind: ErrorKind = 'validation') {
    super(code, kind, message, TEMPLATE_RESULT_CODES[code]);
  }
}

export class TemplateNotFoundError extends TemplateRuleError {
  public constructor(name: string) {
    super('TEMPLATE_NOT_EXIST', `template ${JSON.stringify(name)} does not exist`, 'not-found');
  }
}

export class TemplateValuesMissingError extends TemplateRuleError {
  public constructor(public readonly missing: string[]) {
    super('TEMPLATEKV_NOT_ENOUGH', `no value for the template placeholder${missing.length > 1 ? 's' : ''} ${missing.map((name) => `#${name}#`).join(', ')}`);
  }
}
