export { RedisEventBus } from './redis-event-bus.js';
export type { RedisEventBusOptions, BusLogger } from './redis-event-bus-options.js';
