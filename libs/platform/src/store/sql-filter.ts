import type { FieldCondition, Filter, JsonPrimitive, JsonValue, SortSpec } from './store.port';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** SQL expression reading a dotted field path from the JSON `doc` column; index and query must use the same text. */
export function fieldExpression(path: string): string {
  if (path === '_id') return 'id';
  const jsonPath = '$' + path.split('.').map((segment) => `."${segment.replace(/"/g, '""')}"`).join('');
  return `json_extract(doc, '${jsonPath.replace(/'/g, "''")}')`;
}

function typeExpression(path: string): string {
  if (path === '_id') return `'text'`;
  return fieldExpression(path).replace('json_extract', 'json_type');
}

function bindable(value: JsonPrimitive): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

function jsonTypesOf(value: JsonPrimitive): string[] {
  if (value === null) return ['null'];
  if (typeof value === 'boolean') return [value ? 'true' : 'false'];
  if (typeof value === 'number') return ['integer', 'real'];
  return ['text'];
}

function equals(path: string, value: JsonValue): SqlFragment {
  if (value === null) {
    return { sql: `(${typeExpression(path)} IS NULL OR ${typeExpression(path)} = 'null')`, params: [] };
  }
  if (typeof value === 'object') {
    return { sql: `${fieldExpression(path)} = json(?)`, params: [JSON.stringify(value)] };
  }
  const types = jsonTypesOf(value).map((t) => `'${t}'`).join(',');
  return {
    sql: `(${fieldExpression(path)} = ? AND ${typeExpression(path)} IN (${types}))`,
    params: [bindable(value)],
  };
}

function compare(path: string, operator: string, value: number | string): SqlFragment {
  const types = typeof value === 'number' ? `'integer','real'` : `'text'`;
  return {
    sql: `(${typeExpression(path)} IN (${types}) AND ${fieldExpression(path)} ${operator} ?)`,
    params: [value],
  };
}

function conditionFragments(path: string, condition: FieldCondition): SqlFragment[] {
  const parts: SqlFragment[] = [];
  for (const [operator, operand] of Object.entries(condition)) {
    switch (operator) {
      case '$eq':
        parts.push(equals(path, operand as JsonValue));
        break;
      case '$ne':
        parts.push(not(equals(path, operand as JsonValue)));
        break;
      case '$gt':
        parts.push(compare(path, '>', operand as number | string));
        break;
      case '$gte':
        parts.push(compare(path, '>=', operand as number | string));
        break;
      case '$lt':
        parts.push(compare(path, '<', operand as number | string));
        break;
      case '$lte':
        parts.push(compare(path, '<=', operand as number | string));
        break;
      case '$in':
      case '$nin': {
        const values = operand as JsonPrimitive[];
        const any = values.length === 0 ? { sql: '0', params: [] } : orOf(values.map((v) => equals(path, v)));
        parts.push(operator === '$in' ? any : not(any));
        break;
      }
      case '$exists':
        parts.push({ sql: `${typeExpression(path)} IS ${operand ? 'NOT NULL' : 'NULL'}`, params: [] });
        break;
      default:
        throw new TypeError(`unsupported query operator ${operator} on ${path}`);
    }
  }
  return parts;
}

function joinWith(separator: 'AND' | 'OR', parts: SqlFragment[]): SqlFragment {
  if (parts.length === 0) return { sql: separator === 'AND' ? '1' : '0', params: [] };
  return { sql: `(${parts.map((p) => p.sql).join(` ${separator} `)})`, params: parts.flatMap((p) => p.params) };
}

const orOf = (parts: SqlFragment[]) => joinWith('OR', parts);

/** Negation that treats SQL NULL (a comparison with a missing field) as false, so `$ne`/`$nin` match missing fields. */
function not(fragment: SqlFragment): SqlFragment {
  return { sql: `NOT coalesce(${fragment.sql}, 0)`, params: fragment.params };
}

export function filterToSql(filter: Filter): SqlFragment {
  const parts: SqlFragment[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$and' || key === '$or') {
      parts.push(joinWith(key === '$and' ? 'AND' : 'OR', (value as Filter[]).map(filterToSql)));
    } else if (key.startsWith('$')) {
      throw new TypeError(`unsupported query operator ${key}`);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      parts.push(...conditionFragments(key, value as FieldCondition));
    } else {
      parts.push(equals(key, value as JsonPrimitive));
    }
  }
  return joinWith('AND', parts);
}

export function sortToSql(sort: SortSpec | undefined): string {
  if (!sort || Object.keys(sort).length === 0) return '';
  return ' ORDER BY ' + Object.entries(sort).map(([path, direction]) => `${fieldExpression(path)} ${direction === 1 ? 'ASC' : 'DESC'}`).join(', ');
}
