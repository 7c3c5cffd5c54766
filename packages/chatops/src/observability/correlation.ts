import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while one command is handled carries. */
export interface CorrelationFields {
  /** The command's delivery key (Slack team + trigger id, DingTalk msgId): one id from arrival to reply. */
  readonly correlationId: string;
}

const current = new AsyncLocalStorage<CorrelationFields>();

/**
 * Runs `work` as the handling of one command: every line logged inside it — the bot's, the binding
 * service's, each Aliyun call's with its RequestId — carries `correlationId`, so an operator can
 * follow one command through the log without threading an id through every call.
 */
export function withCorrelation<T>(correlationId: string, work: () => T): T {
  return current.run({ correlationId }, work);
}

/** The fields of the command being handled, or nothing outside {@link withCorrelation}. */
export function correlationFields(): CorrelationFields | Record<string, never> {
  return current.getStore() ?? {};
}
