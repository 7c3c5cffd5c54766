import { describe, expect, it } from 'vitest';
import type { CallEvent, CallNotice, LogFields, Logger } from '../src/index.js';
import { CallNoticeRelay, ConfigError, loadReceiptToken } from '../src/index.js';

/** A notice as the service would make it; only the fields the relay reads matter here. */
function notice(callId: string): CallNotice {
  return {
    kind: 'call',
    callId,
    locale: 'en',
    line: `call ${callId}`,
    recording: false,
    binding: {
      ref: 'r1',
      subsId: 's1',
      platform: 'slack',
      channelId: 'C1',
      userId: 'U1',
      userName: 'alice',
      messageRef: null,
    },
    call: {} as CallNotice['call'],
  };
}

const event = (callId: string) => ({ callId }) as CallEvent;

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

describe('CallNoticeRelay', () => {
  it('posts each newly stored event that yields a notice, once, and logs a failed post without retrying it', async () => {
    const claimed: string[] = [];
    const posted: string[] = [];
    const { logger, lines } = recordingLogger();
    const relay = new CallNoticeRelay({
      logger,
      source: {
        // Only end events make notices; c2 was claimed by another process.
        claimCallNotice: async (e) => {
          claimed.push(e.callId);
          return e.callId === 'c2' ? undefined : notice(e.callId);
        },
        sweepCallNotices: async () => [],
      },
      post: async (n) => {
        if (n.callId === 'c3') throw new Error('not_in_channel');
        posted.push(n.callId);
      },
    });
    await relay.onStored([event('c1'), event('c2'), event('c3'), event('c4')]);
    expect(claimed).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(posted).toEqual(['c1', 'c4']);
    expect(lines.filter((line) => line.startsWith('warn'))).toEqual([
      'warn could not post a call {"kind":"call","callId":"c3","subsId":"s1","error":"not_in_channel"}',
    ]);
  });

  it('asks only for its own platform’s notices, when it has one', async () => {
    const asked: Array<string | undefined> = [];
    const relay = new CallNoticeRelay({
      logger: recordingLogger().logger,
      platform: 'dingtalk',
      source: {
        claimCallNotice: async (_event, platform) => {
          asked.push(platform);
          return undefined;
        },
        sweepCallNotices: async (_age, _limit, platform) => {
          asked.push(`sweep:${platform}`);
          return [];
        },
      },
      post: async () => {},
    });
    await relay.onStored([event('c1')]);
    await relay.sweep();
    expect(asked).toEqual(['dingtalk', 'sweep:dingtalk']);
  });

  it('sweeps on its timer, one sweep at a time, and stops', async () => {
    let tick: (() => void) | undefined;
    let cleared = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sweeps = 0;
    const posted: string[] = [];
    const relay = new CallNoticeRelay({
      logger: recordingLogger().logger,
      sweepEveryMs: 30_000,
      setInterval: (run, ms) => {
        expect(ms).toBe(30_000);
        tick = run;
        return {};
      },
      clearInterval: () => {
        cleared += 1;
      },
      source: {
        claimCallNotice: async () => undefined,
        sweepCallNotices: async () => {
          sweeps += 1;
          await gate;
          return [notice('left-behind')];
        },
      },
      post: async (n) => {
        posted.push(n.callId);
      },
    });
    relay.start();
    tick?.();
    tick?.(); // a second tick while the first sweep runs joins it
    expect(sweeps).toBe(1);
    release();
    await relay.stop();
    expect(posted).toEqual(['left-behind']);
    expect(cleared).toBe(1);
  });

  it('a sweep that fails is logged and tried again on the next tick', async () => {
    const { logger, lines } = recordingLogger();
    let fail = true;
    const relay = new CallNoticeRelay({
      logger,
      source: {
        claimCallNotice: async () => undefined,
        sweepCallNotices: async () => {
          if (fail) throw new Error('ledger unreachable');
          return [notice('later')];
        },
      },
      post: async () => {},
    });
    await relay.sweep();
    fail = false;
    await relay.sweep();
    expect(lines[0]).toMatch(/^warn could not sweep call notices; the next sweep tries again/);
    expect(lines[1]).toMatch(/^info posted a call .*"callId":"later"/);
  });
});

describe('AXN_RECEIPT_TOKEN', () => {
  it('is optional, taken as given when URL-safe and long enough, and refused with a remedy otherwise', () => {
    expect(loadReceiptToken({})).toBeUndefined();
    expect(loadReceiptToken({ AXN_RECEIPT_TOKEN: '' })).toBeUndefined();
    expect(loadReceiptToken({ AXN_RECEIPT_TOKEN: '0123456789abcdef-_.~' })).toBe('0123456789abcdef-_.~');
    for (const bad of ['short', 'has space 0123456789', 'query&token=0123456789'])
      expect(() => loadReceiptToken({ AXN_RECEIPT_TOKEN: bad })).toThrow(
        new ConfigError(
          'AXN_RECEIPT_TOKEN must be 16 to 200 URL-safe characters (letters, digits, - _ . ~), e.g. from `openssl rand -hex 24`',
        ),
      );
  });
});
