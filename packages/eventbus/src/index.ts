export type {
  BusHandler,
  BusPayload,
  EventBus,
  EventBusHealth,
  KeyValueStore,
  SetOptions,
  Unsubscribe,
} from './event-bus.js';
export { MemoryEventBus } from './memory-event-bus.js';
export type { MemoryEventBusOptions } from './memory-event-bus.js';
export { MemoryKeyValueStore } from './memory-key-value-store.js';
export { EventBusError, CircuitOpenError, isEventBusError, isCircuitOpenError } from './errors.js';
export type { EventBusErrorCode } from './errors.js';
export type { HandlerErrorReporter } from './internal/handler-registry.js';
export { escapeGlob, globToRegExp } from './internal/glob.js';
