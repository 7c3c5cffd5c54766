/**
 * @axnbot/core — the SDK for Alibaba Cloud's number-privacy API (`dyplsapi`, 2017-05-25).
 *
 * - Signing: {@link percentEncode}, {@link signRpcV2} / {@link verifyRpcV2}, {@link signAcs3} / {@link verifyAcs3}
 * - Operations: one zod-modelled object per action (`BindAxnExtension`, `UpdateSubscription`, …)
 * - Errors: {@link AxnError} and {@link describeError}, one table of every code
 * - Client: {@link createDyplsClient}
 * @packageDocumentation
 */
export * from './client/backoff.js';
export * from './client/client.js';
export * from './client/credentials.js';
export { TokenBucket } from './client/token-bucket.js';
export * from './errors/axn-error.js';
export * from './errors/taxonomy.js';
export { type LogFields, type Logger, silentLogger } from './logger.js';
export { parseJsonLossless } from './lossless-json.js';
export * from './operations/index.js';
export { maskPhone, scrubPhones } from './privacy.js';
export * from './signing/acs3.js';
export * from './signing/percent-encode.js';
export * from './signing/rpc-v2.js';
export * from './time.js';
