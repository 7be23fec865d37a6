export * from './template';
export * from './template.repository';
export * from './templates';
export * from './templates.errors';
export * from './render';
