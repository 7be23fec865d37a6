export * from './tokens';
export * from './lifecycle';
export * from './runtime.module';
export * from './bootstrap';
export * from './http/error-response';
export * from './http/exception.filter';
export * from './http/zod-body';
export { OpsController, READINESS_PROBES } from './ops/ops.controller';
