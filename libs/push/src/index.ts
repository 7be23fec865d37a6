export * from './push-codes';
export * from './push-request';
