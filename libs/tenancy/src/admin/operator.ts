import type { AdminRole } from './admin-key';
import { OperatorForbiddenError } from '../tenancy.errors';

/** The authenticated admin key behind an admin or console request. */
export interface Operator {
  id: string;
  role: AdminRole;
  apps: string[];
}

export type Permission = 'read' | 'operate' | 'administer';

/** Owners may do everything; operators act on (and viewers read) the apps they were granted. */
export function requirePermission(operator: Operator, permission: Permission, instanceId?: string): void {
  if (operator.role === 'owner') return;
  if (permission === 'administer') throw new OperatorForbiddenError(`${operator.role} keys cannot do this; an owner key is needed`);
  if (permission === 'operate' && operator.role === 'viewer') throw new OperatorForbiddenError('viewer keys are read only');
  if (instanceId !== undefined && !operator.apps.includes(instanceId)) throw new OperatorForbiddenError(`this key is not granted app ${instanceId}`);
}

/** The apps an operator may list; undefined = all. */
export function visibleApps(operator: Operator): string[] | undefined {
  return operator.role === 'owner' ? undefined : operator.apps;
}
