// The Bitrix24 REST client: usable without Node-RED.
export * from './errors';
export * from './redact';
export * from './webhook-url';
export * from './envelope';
export * from './transport';
export * from './auth';
export * from './client';
export * from './event-token';
export * from './log-message';
export * from './bizproc';
export * from './scope-check';
