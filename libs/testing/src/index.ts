export * from './service-process';
export * from './platform-client';
export * from './tcp-proxy';
export * from './comet-client';
export * from './cluster-processes';
export * from './platform-under-test';
