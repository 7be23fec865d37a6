import { invalidParam } from '../push-codes';
import { RequestParameters } from '../requests/request-parameters';

/** The app a query reads; every query names it (DECISIONS D1). */
export interface AppRef {
  appId: string;
  workspaceId: string;
}

export const DAY_MS = 86_400_000;

/**
 * A query's parameters: strict (REST v1, the console) takes JSON types and exactly these lowerCamel
 * names, refusing any other with 3028 naming it; lenient (the mPaaS RPC face) also takes names in
 * any case and numbers as text. `appId` and `workspaceId` may be repeated in the parameters.
 */
export function queryParameters(params: Record<string, unknown>, names: readonly string[], lenient: boolean): RequestParameters {
  const parameters = RequestParameters.resolve(params, { names: ['appId', 'workspaceId', ...names], strictAliases: {} }, lenient ? 'lenient' : 'strict');
  parameters.assertWellNamed();
  return parameters;
}

/** An epoch-millisecond time; required ones answer 3028 when absent. */
export function timeOf(parameters: RequestParameters, name: string): number | undefined {
  const value = parameters.number(name);
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw invalidParam(`${name}: must be a time in milliseconds`);
  return value;
}

export function requiredTimeOf(parameters: RequestParameters, name: string): number {
  const value = timeOf(parameters, name);
  if (value === undefined) throw invalidParam(`${name}: required`);
  return value;
}

/** A text parameter; empty is absent. */
export function textOf(parameters: RequestParameters, name: string): string | undefined {
  const value = parameters.text(name);
  return value === '' ? undefined : value;
}

export function requiredText(parameters: RequestParameters, name: string): string {
  const value = textOf(parameters, name);
  if (value === undefined || value.trim() === '') throw invalidParam(`${name}: required`);
  return value;
}

export function oneOf<T extends string>(parameters: RequestParameters, name: string, allowed: readonly T[]): T | undefined {
  const value = textOf(parameters, name);
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  throw invalidParam(`${name}: must be one of ${allowed.join(', ')}`);
}

export interface Page {
  pageNumber: number;
  pageSize: number;
  skip: number;
}

/** `pageNumber` from 1 (default 1), `pageSize` 1 to `maxSize` (default `defaultSize`). */
export function pageOf(parameters: RequestParameters, defaultSize: number, maxSize: number): Page {
  const pageNumber = parameters.number('pageNumber') ?? 1;
  const pageSize = parameters.number('pageSize') ?? defaultSize;
  if (!Number.isSafeInteger(pageNumber) || pageNumber < 1) throw invalidParam('pageNumber: must be an integer from 1');
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > maxSize) throw invalidParam(`pageSize: must be an integer from 1 to ${maxSize}`);
  return { pageNumber, pageSize, skip: (pageNumber - 1) * pageSize };
}

/** The UTC midnight that starts the day of `time`. */
export function dayOf(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}
