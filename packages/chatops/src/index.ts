export * from './language/commands.js';
export * from './language/duration.js';
export * from './language/parse-command.js';
export * from './language/phone.js';
export * from './language/tokenize.js';
export * from './language/usage.js';
