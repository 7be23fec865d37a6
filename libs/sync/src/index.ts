export * from './configs/sync-config';
export * from './configs/sync-config.errors';
export * from './configs/sync-config.repository';
export * from './configs/sync-configs';
