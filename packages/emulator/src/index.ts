/**
 * @axnbot/emulator — a local, stateful emulator of Alibaba Cloud's number-privacy API (dyplsapi
 * 2017-05-25). Start one with {@link startEmulator}; drive its operator API under `/_emulator/`.
 * @packageDocumentation
 */
export { ApiFailure } from './api-failure.js';
export { ANSWER_MODES, type AnswerMode, RELEASE_CAUSE } from './call-timeline.js';
export { type CallOutcome, type CallRequest, UNCONNECTED } from './calls.js';
export { EmulatorClock } from './clock.js';
export { openEmulatorDatabase } from './database.js';
export { parseDurationMs } from './duration.js';
export type { FaultSpec } from './faults.js';
export { SINGLE_URL_TYPES, TYPE_PLACEHOLDER } from './receipt-target.js';
export { MESSAGE_TYPES, type MessageType } from './receipt-types.js';
export { RECEIPT_RETRY_DELAYS_MS, RECEIPT_TIMEOUT_MS, type ReceiptView } from './receipts.js';
export { DEMO_POOL_KEY, seedDemo } from './seed.js';
export {
  type Emulator,
  type EmulatorOptions,
  MAX_BODY_BYTES,
  MAX_URL_BYTES,
  startEmulator,
} from './server.js';
export type { Binding, CallbackMode, CityMode, Pool, SecretNumber } from './store.js';
export { EmulatorStore } from './store.js';
