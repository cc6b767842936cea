export * from './messages/messages.js';
export * from './queue/queue.port.js';
export * from './storage/storage.port.js';
