import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One Aliyun API call as the client reports it (see the client's `onCall`). */
export interface AliyunCall {
  readonly action: string;
  readonly code: string;
  readonly durationMs: number;
}

/**
 * A bot's Prometheus metrics, on a registry of its own (the process's default metrics included):
 * `axn_commands_total{platform,verb,outcome}`, `axn_command_seconds`, `axn_aliyun_calls_total{action,code}`,
 * `axn_aliyun_call_seconds{action}`, `axn_ledger_seconds{operation}` and `axn_bindings_active`.
 */
export class BotMetrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'platform' | 'verb' | 'outcome'>;
  private readonly commandSeconds: Histogram<'platform' | 'verb'>;
  private readonly aliyunCalls: Counter<'action' | 'code'>;
  private readonly aliyunSeconds: Histogram<'action'>;
  private readonly ledgerSeconds: Histogram<'operation'>;
  private activeBindings: () => Promise<number> = async () => 0;

  constructor(readonly platform: string) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.commands = new Counter({
      name: 'axn_commands_total',
      help: 'Chat commands handled, by platform, verb and outcome.',
      labelNames: ['platform', 'verb', 'outcome'],
      registers,
    });
    this.commandSeconds = new Histogram({
      name: 'axn_command_seconds',
      help: 'Time from a command’s arrival to its final reply.',
      labelNames: ['platform', 'verb'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
      registers,
    });
    this.aliyunCalls = new Counter({
      name: 'axn_aliyun_calls_total',
      help: 'Alibaba Cloud API calls, by action and result code (OK or the error code).',
      labelNames: ['action', 'code'],
      registers,
    });
    this.aliyunSeconds = new Histogram({
      name: 'axn_aliyun_call_seconds',
      help: 'Duration of Alibaba Cloud API calls, retries included.',
      labelNames: ['action'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.ledgerSeconds = new Histogram({
      name: 'axn_ledger_seconds',
      help: 'Duration of ledger operations.',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'axn_bindings_active',
      help: 'Bindings the ledger holds as active and unexpired.',
      registers,
      async collect() {
        this.set(await metrics.activeBindings().catch(() => Number.NaN));
      },
    });
  }

  /** `axnbot_slack_replay_guard_entries`: the Slack HTTP receiver's remembered requests, read when scraped. */
  trackReplayGuard(read: () => number): void {
    new Gauge({
      name: 'axnbot_slack_replay_guard_entries',
      help: 'Verified requests remembered against replays.',
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Where `axn_bindings_active` is read from when scraped. */
  countActiveWith(count: () => Promise<number>): void {
    this.activeBindings = count;
  }

  /** Counts a command handled, with its outcome (`ok`, or the reply's kind) and how long it took. */
  record(verb: string, outcome: string, seconds: number): void {
    this.commands.inc({ platform: this.platform, verb, outcome });
    this.commandSeconds.observe({ platform: this.platform, verb }, seconds);
  }

  aliyunCall(call: AliyunCall): void {
    this.aliyunCalls.inc({ action: call.action, code: call.code });
    this.aliyunSeconds.observe({ action: call.action }, call.durationMs / 1000);
  }

  ledgerCall(operation: string, seconds: number): void {
    this.ledgerSeconds.observe({ operation }, seconds);
  }

  /** The Prometheus text exposition, and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
