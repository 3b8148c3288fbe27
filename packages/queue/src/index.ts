export { createQueueService, queueKey } from './queue-service.js';
export { MemoryQueueBackend } from './memory-queue.js';
export { RedisQueueBackend } from './redis-queue.js';
export type { RedisQueueOptions } from './redis-queue.js';
export type { QueueBackend, Reservation } from './queue-backend.js';
