export * from './service-process';
export * from './platform-client';
