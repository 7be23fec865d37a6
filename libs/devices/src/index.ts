export * from './device';
export * from './device.repository';
export * from './devices';
export * from './rpc-result';
export * from './binding-audience';
