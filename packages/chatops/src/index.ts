/**
 * @axnbot/chatops — one command language and one binding service for every chat front end.
 *
 * - {@link parseCommand}: chat text → a typed Command or a ParseError (pure)
 * - {@link BindingService}: Command + Actor → Reply (policy, idempotency, API, ledger, audit)
 * - {@link openLedger}: the ledger on SQLite or PostgreSQL
 * - {@link renderText}: a Reply as terminal text
 * - {@link phrase}: every sentence and label users see, in English and Chinese (the phrase catalogue)
 * - {@link createReceiptEndpoint}: Aliyun's call receipts pushed over HTTP, stored once each; then
 *   {@link BindingService.claimCallNotice} says what to post, and `calls` lists a binding's calls
 * @packageDocumentation
 */
export { BindingService, type BindingServiceDeps } from './binding-service.js';
export { randomRef, toView } from './binding-view.js';
export { runBotProcess, type StoppableBot } from './bot-process.js';
export {
  ConfigError,
  isConfigError,
  loadBotServiceConfig,
  loadServiceConfig,
  readEnvSection,
  type ServiceConfig,
} from './config.js';
export * from './language/commands.js';
export * from './language/duration.js';
export { parseCommand } from './language/parse-command.js';
export * from './language/phone.js';
export { normalizeText, tokenize } from './language/tokenize.js';
export { allUsage, USAGE } from './language/usage.js';
export type {
  AuditEvent,
  BindingOutcome,
  BindingPatch,
  BindingQuery,
  BindingRecord,
  Ledger,
} from './ledger/ledger.js';
export { openLedger } from './ledger/open-ledger.js';
export { postgresDriver } from './ledger/postgres-driver.js';
export { SqlLedger } from './ledger/sql-ledger.js';
export { sqliteDriver } from './ledger/sqlite-driver.js';
export {
  EXPIRY_NOTICE_HORIZON_MS,
  IDLE_AFTER_MS,
  type LifecycleCandidate,
  type LifecycleSource,
  type LifecycleWorkRequest,
  POOL_ALERT_WINDOW_MS,
  POOL_REPLY_WINDOW_MS,
  reminderActions,
} from './lifecycle/lifecycle-commands.js';
export {
  type AlertChannel,
  LIFECYCLE_DEFAULTS,
  type LifecycleConfig,
  loadLifecycleConfig,
  parseAlertChannel,
} from './lifecycle/lifecycle-config.js';
export type {
  LifecycleLedger,
  LifecycleNoticeKind,
  LifecycleNoticeRecord,
  LifecycleNoticeState,
  PoolAlertRecord,
  PoolCityCounts,
  PoolEvent,
  PoolEventCount,
} from './lifecycle/lifecycle-ledger.js';
export {
  type ExpiredNotice,
  LIFECYCLE_ACTION_IDS,
  type LifecycleAction,
  type LifecycleActionId,
  type LifecycleNotice,
  type LifecyclePlace,
  type LifecycleSend,
  type PoolAlertNotice,
  type ReminderNotice,
} from './lifecycle/lifecycle-notice.js';
export {
  LIFECYCLE_LEASE_MS,
  LIFECYCLE_MAX_TRIES,
  LifecycleScheduler,
  type LifecycleSchedulerOptions,
  type LifecycleTickReport,
} from './lifecycle/lifecycle-scheduler.js';
export {
  type BindAllowance,
  type LimitsStatus,
  LOCAL_LIMITS,
  openSharedLimits,
  redactRedisUrl,
  type SharedLimits,
  type SharedLimitsOptions,
} from './limits/shared-limits.js';
export { jsonLineLogger, type LogFields, type Logger, silentLogger } from './logger.js';
export { type CommandOutcome, reportCommand } from './observability/command-report.js';
export { type CorrelationFields, correlationFields, withCorrelation } from './observability/correlation.js';
export { createLogger, LOG_LEVELS, type LogOptions, loggerFromEnv } from './observability/log.js';
export { type AliyunCall, BotMetrics } from './observability/metrics.js';
export { RefusalLog } from './observability/refusal-log.js';
export {
  ledgerReadiness,
  NOT_READY,
  type StatusServerOptions,
  startStatusServer,
} from './observability/status-server.js';
export { timedLedger } from './observability/timed-ledger.js';
export { PhoneHasher } from './phone-hash.js';
export {
  PHRASES,
  type PhraseKey,
  type PhraseSlots,
  type PhraseValues,
  type PlainPhraseKey,
  phrase,
  type SlotsOf,
} from './phrases.js';
export { type Actor, LOOKUP_MISS_BURST, Policy, type PolicyRules } from './policy.js';
export type { CallNotice, CallNoticeBinding } from './receipts/call-notice.js';
export {
  CallNoticeRelay,
  type CallNoticeRelayOptions,
  type CallNoticeSource,
} from './receipts/call-notice-relay.js';
export {
  type CallOutcome,
  type CallSummary,
  type CallTotals,
  callDirectionText,
  callOutcomeText,
  callTotals,
  formatCallLine,
  formatTalkTime,
  summarizeCall,
  summarizeCalls,
  whyNotAnswered,
} from './receipts/call-summary.js';
export { loadReceiptToken } from './receipts/receipt-config.js';
export {
  createReceiptEndpoint,
  isReceiptRequest,
  RECEIPT_ACCEPTED,
  RECEIPT_MAX_BYTES,
  RECEIPT_PATH_PREFIX,
  type ReceiptEndpointOptions,
} from './receipts/receipt-endpoint.js';
export {
  type BatchProblem,
  type CallDirection,
  type CallEvent,
  isReceiptType,
  isRecordProblem,
  parseReceipt,
  parseReceiptBatch,
  RECEIPT_TYPES,
  type ReceiptRecord,
  type ReceiptType,
  type RecordProblem,
  toCallEvent,
} from './receipts/receipt-records.js';
export { LedgerReceiptStore, type ReceiptStore, type StoredReceipts } from './receipts/receipt-store.js';
export { beijingMinute, renderText, statusLabel, type TextRenderOptions } from './render-text.js';
export * from './replies.js';
export * from './secret-number-cities.js';
export { openServiceRuntime, type ServiceRuntime } from './service-runtime.js';
