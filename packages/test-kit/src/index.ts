/**
 * What axnbot's test suites share (a private package, never published): raw HTTP requests for the
 * attack tests, spawned processes and their JSON log lines with the privacy scan, polling and free
 * ports, and the receipt endpoint's expected answers.
 */
export * from './bot-process.js';
export * from './polling.js';
export * from './raw-http.js';
export * from './receipt-status.js';
