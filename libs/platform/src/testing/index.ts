export * from './cluster-env';
