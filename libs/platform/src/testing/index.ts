export * from './cluster-env';
export * from './eventually';
