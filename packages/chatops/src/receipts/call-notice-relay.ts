import type { Logger } from '../logger.js';
import type { CallNotice } from './call-notice.js';
import type { CallEvent } from './receipt-records.js';

/** The part of the binding service the relay uses. */
export interface CallNoticeSource {
  claimCallNotice(event: CallEvent, platform?: string): Promise<CallNotice | undefined>;
  sweepCallNotices(ageMs?: number, limit?: number, platform?: string): Promise<CallNotice[]>;
}

/** Options of {@link CallNoticeRelay}. */
export interface CallNoticeRelayOptions {
  readonly source: CallNoticeSource;
  /** Posts one notice where its binding was made (the front end's job); throws when it could not. */
  readonly post: (notice: CallNotice) => Promise<void>;
  readonly logger: Logger;
  /**
   * The front end's platform (`slack`, `dingtalk`): only calls on bindings made there are claimed, so
   * two front ends sharing a ledger each post their own (the one Aliyun does not push to finds its calls
   * in its sweep).
   */
  readonly platform?: string;
  /** How often unclaimed notices are swept up (default 30 s). */
  readonly sweepEveryMs?: number;
  /** Timers, injectable for tests. */
  readonly setInterval?: (run: () => void, ms: number) => { unref?(): void };
  readonly clearInterval?: (timer: unknown) => void;
}

/**
 * Turns stored call receipts into chat posts: each new end-of-call or recording event is claimed in the
 * ledger (so one process posts it, once) and handed to the front end's `post`; now and then, notices no
 * one claimed — their process stopped between storing and posting — are swept up and posted too. A post
 * that fails is logged and not repeated: a claimed call is never posted twice.
 */
export class CallNoticeRelay {
  private timer: unknown;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly options: CallNoticeRelayOptions) {}

  /** For the receipt endpoint's `onStored`: posts what the new events call for, one after another. */
  readonly onStored = async (events: readonly CallEvent[]): Promise<void> => {
    for (const event of events) {
      const notice = await this.options.source.claimCallNotice(event, this.options.platform);
      if (notice) await this.deliver(notice);
    }
  };

  /** Starts the periodic sweep. */
  start(): void {
    if (this.timer !== undefined) return;
    const every = this.options.sweepEveryMs ?? 30_000;
    const set = this.options.setInterval ?? setInterval;
    const timer = set(() => {
      void this.sweep();
    }, every);
    timer.unref?.();
    this.timer = timer;
  }

  /** Stops the sweep and waits for one in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) (this.options.clearInterval ?? clearInterval)(this.timer as never);
    this.timer = undefined;
    await this.sweeping;
  }

  /** Posts the notices no one claimed; one sweep at a time. */
  sweep(): Promise<void> {
    this.sweeping ??= this.runSweep().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async runSweep(): Promise<void> {
    try {
      const { source, platform } = this.options;
      for (const notice of await source.sweepCallNotices(undefined, undefined, platform))
        await this.deliver(notice);
    } catch (error) {
      this.options.logger.warn('could not sweep call notices; the next sweep tries again', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async deliver(notice: CallNotice): Promise<void> {
    try {
      await this.options.post(notice);
      this.options.logger.info('posted a call', {
        kind: notice.kind,
        callId: notice.callId,
        subsId: notice.binding.subsId,
        platform: notice.binding.platform,
      });
    } catch (error) {
      this.options.logger.warn('could not post a call', {
        kind: notice.kind,
        callId: notice.callId,
        subsId: notice.binding.subsId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
