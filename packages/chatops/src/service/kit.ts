import { AxnError, type DyplsClient } from '@axnbot/core';
import { randomRef } from '../binding-view.js';
import type { ServiceConfig } from '../config.js';
import type { Locale, Target } from '../language/commands.js';
import { maskPhone } from '../language/phone.js';
import type { AuditEvent, Ledger } from '../ledger/ledger.js';
import type { BindAllowance } from '../limits/shared-limits.js';
import { type Logger, silentLogger } from '../logger.js';
import { PhoneHasher } from '../phone-hash.js';
import { phrase } from '../phrases.js';
import { type Actor, Policy } from '../policy.js';
import { Reconciler } from '../reconciler.js';
import type { DenialReason, Reply } from '../replies.js';
import { scrubPhones } from '../scrub.js';
import { SecretNumberCities } from '../secret-number-cities.js';

/** What the binding service is built from. Clock and reference generator are injected for exact tests. */
export interface ServiceDeps {
  readonly client: DyplsClient;
  readonly ledger: Ledger;
  readonly config: Pick<
    ServiceConfig,
    'poolKey' | 'defaultCity' | 'hashKey' | 'allowUsers' | 'allowChannels' | 'admins' | 'rateLimitPerMinute'
  > &
    Partial<Pick<ServiceConfig, 'locale' | 'maxExpiresMs'>>;
  readonly now?: () => number;
  readonly newRef?: () => string;
  /** Where operator alerts go (silent by default). */
  readonly logger?: Logger;
  /**
   * The per-user rate limit kept across replicas (Redis, `AXN_REDIS_URL`); by default each process keeps
   * its own sliding minute.
   */
  readonly bindAllowance?: BindAllowance;
}

/** How long a bind reply waits for its X number's city before showing the one asked for. */
const CITY_LOOKUP_MS = 2_000;

/**
 * What every command of the binding service works with: the client and ledger, the policy, the
 * reconciler, A's fingerprints, X numbers' cities, the clock — and the audit and reply helpers they share.
 */
export class ServiceKit {
  readonly now: () => number;
  readonly newRef: () => string;
  readonly logger: Logger;
  readonly policy: Policy;
  readonly hasher: PhoneHasher;
  readonly reconciler: Reconciler;
  readonly cities: SecretNumberCities;

  constructor(readonly deps: ServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.newRef = deps.newRef ?? randomRef;
    this.logger = deps.logger ?? silentLogger;
    this.policy = new Policy(deps.config, this.now, deps.bindAllowance);
    this.hasher = new PhoneHasher(deps.config.hashKey);
    this.reconciler = new Reconciler({ client: deps.client, ledger: deps.ledger, hasher: this.hasher });
    this.cities = new SecretNumberCities(deps.client, {
      timeoutMs: CITY_LOOKUP_MS,
      onError: (error, secretNo) =>
        this.logger.warn('could not look up the city of an X number', {
          secretNo,
          error: error instanceof Error ? error.message : String(error),
        }),
    });
  }

  notFound(locale: Locale, what: string): Reply {
    return { kind: 'error', locale, code: 'local.NOT_FOUND', detail: what };
  }

  async deny(
    actor: Actor,
    locale: Locale,
    reason: DenialReason,
    action: string,
    detail?: string,
  ): Promise<Reply> {
    await this.audit(actor, 'deny', action, `local.POLICY_DENIED:${reason}`, null, detail ?? null);
    return { kind: 'denied', locale, reason, detail };
  }

  async audit(
    actor: Actor,
    action: string,
    target: string,
    result: string,
    requestId: string | null,
    detail: string | null = null,
  ): Promise<void> {
    await this.deps.ledger.recordAudit(this.event(actor, action, target, result, requestId, detail));
  }

  /** An audit event, stamped now. */
  event(
    actor: Actor,
    action: string,
    target: string,
    result: string,
    requestId: string | null,
    detail: string | null = null,
  ): AuditEvent {
    return {
      at: this.now(),
      platform: actor.platform,
      userId: actor.userId,
      userName: actor.userName,
      channelId: actor.channelId,
      action,
      // Free text from servers and users: no clear number reaches the audit trail.
      target: scrubPhones(target),
      result,
      requestId,
      detail: detail === null ? null : scrubPhones(detail),
    };
  }

  /**
   * The reply for a failure. An unexpected one (a bug, a database down) is logged here, once, with its
   * cause and a correlation id that the reply shows, so the operator can find what the user saw.
   */
  errorReply(error: unknown, locale: Locale): Reply {
    const failure = asAxnError(error);
    if (failure.code !== 'local.INTERNAL') {
      return {
        kind: 'error',
        locale,
        code: failure.code,
        detail: scrubPhones(failure.message),
        requestId: failure.requestId,
      };
    }
    const correlationId = `err-${this.newRef().replace(/^axn-/, '')}`;
    const cause = failure.cause ?? failure;
    this.logger.error('unexpected error', {
      correlationId,
      error: scrubPhones(cause instanceof Error ? cause.message : String(cause)),
      stack: cause instanceof Error && cause.stack ? scrubPhones(cause.stack) : undefined,
    });
    return { kind: 'error', locale, code: failure.code, detail: '', correlationId };
  }
}

/** The actor recorded for what the service does on its own (reconciliation, recovery). */
export const systemActor: Actor = {
  platform: 'system',
  userId: 'axnbot',
  userName: 'axnbot',
  channelId: '-',
  idempotencyKey: '-',
};

/** Narrows anything thrown to an {@link AxnError}; a bug or a database failure is reported without internals. */
export function asAxnError(error: unknown): AxnError {
  if (error instanceof AxnError) return error;
  return new AxnError({
    code: 'local.INTERNAL',
    message: 'axnbot failed unexpectedly.',
    cause: error,
  });
}

/** How a reply names a target, in the reader's language, without showing a number in clear. */
export function describeTarget(target: Target, locale: Locale): string {
  switch (target.kind) {
    case 'subsId':
      return `${phrase('label.subsId', locale)} ${target.subsId}`;
    case 'phone':
      return maskPhone(target.phone);
    case 'slot':
      return `${target.secretNo}#${target.extension}`;
  }
}
