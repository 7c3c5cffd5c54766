import { describeError, type ErrorCategory, type ErrorCode } from './taxonomy.js';

/** What an {@link AxnError} is built from; only `code` and `message` are required. */
export interface AxnErrorInit {
  /** A code from the table (checked by the compiler), or a server's via `errorCodeFrom`. */
  readonly code: ErrorCode;
  readonly message: string;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly recommend?: string;
  readonly hostId?: string;
  /** The API action the error came from, when there was one. */
  readonly action?: string;
  /** Detail for an operator's debug log only, never for chat (such as the server's string to sign). */
  readonly debugDetail?: string;
  readonly cause?: unknown;
}

/**
 * The one error type of axnbot. `code` is an Aliyun code (`isv.BIND_CONFLICT`, `SignatureDoesNotMatch`)
 * or a local one (`local.VALIDATION`, `local.OUTCOME_UNKNOWN`); `category` and `retryable` come from the
 * taxonomy table. `message` is the most specific text known — the server's own message for Aliyun codes.
 *
 * Messages never contain credentials: the client builds them from codes, field names and server text only.
 */
export class AxnError extends Error {
  override readonly name = 'AxnError';
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  /** For a write: whether the service may have acted despite this failure (see the taxonomy). */
  readonly mayHaveTakenEffect: boolean;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  readonly recommend: string | undefined;
  readonly hostId: string | undefined;
  readonly action: string | undefined;
  /**
   * Detail for an operator's debug log only: not enumerable, so it stays out of `inspect`, JSON and
   * anything that copies the error's fields.
   */
  declare readonly debugDetail: string | undefined;

  constructor(init: AxnErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    const description = describeError(init.code);
    this.code = init.code;
    this.category = description.category;
    this.retryable = description.retryable;
    this.mayHaveTakenEffect = description.mayHaveTakenEffect;
    this.httpStatus = init.httpStatus;
    this.requestId = init.requestId;
    this.recommend = init.recommend;
    this.hostId = init.hostId;
    this.action = init.action;
    Object.defineProperty(this, 'debugDetail', { value: init.debugDetail, enumerable: false });
  }

  /** The table's message and remedy for this code, in the given language. */
  describe(locale: 'en' | 'zh' = 'en'): { message: string; remedy: string } {
    return describeError(this.code)[locale];
  }

  /** A plain object for logs and `--json` output. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      category: this.category,
      retryable: this.retryable,
      message: this.message,
      httpStatus: this.httpStatus,
      requestId: this.requestId,
      recommend: this.recommend,
      action: this.action,
    };
  }
}

/** Narrows an unknown thrown value to an {@link AxnError}. */
export function isAxnError(value: unknown): value is AxnError {
  return value instanceof AxnError;
}
