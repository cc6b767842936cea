export * from './messages/messages.js';
export * from './queue/queue.port.js';
export * from './storage/storage.port.js';
export * from './media/index.js';
export * from './storage/index.js';
export * from './queue/index.js';
export * from './aws/retry-settings.js';
