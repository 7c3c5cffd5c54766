/** Latency buckets in seconds, for the command duration histogram. */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];

/**
 * A bot's Prometheus metrics: commands by verb and outcome, and a latency histogram. Kept in memory,
 * served as text at GET /metrics.
 */
export class CommandMetrics {
  private readonly commands = new Map<string, number>();
  private readonly bucketCounts = new Array<number>(BUCKETS.length).fill(0);
  private count = 0;
  private sum = 0;

  record(verb: string, outcome: string, seconds: number): void {
    const key = `${verb}\u0000${outcome}`;
    this.commands.set(key, (this.commands.get(key) ?? 0) + 1);
    this.count += 1;
    this.sum += seconds;
    for (const [index, bound] of BUCKETS.entries()) {
      if (seconds <= bound) this.bucketCounts[index] = (this.bucketCounts[index] as number) + 1;
    }
  }

  render(prefix: string): string {
    const lines = [
      `# HELP ${prefix}_commands_total Commands handled, by verb and outcome.`,
      `# TYPE ${prefix}_commands_total counter`,
    ];
    for (const [key, value] of [...this.commands].sort()) {
      const [verb, outcome] = key.split('\u0000');
      lines.push(`${prefix}_commands_total{verb="${verb}",outcome="${outcome}"} ${value}`);
    }
    lines.push(
      `# HELP ${prefix}_command_duration_seconds Time from receipt to final reply.`,
      `# TYPE ${prefix}_command_duration_seconds histogram`,
    );
    for (const [index, bound] of BUCKETS.entries()) {
      lines.push(`${prefix}_command_duration_seconds_bucket{le="${bound}"} ${this.bucketCounts[index]}`);
    }
    lines.push(`${prefix}_command_duration_seconds_bucket{le="+Inf"} ${this.count}`);
    lines.push(
      `${prefix}_command_duration_seconds_sum ${this.sum}`,
      `${prefix}_command_duration_seconds_count ${this.count}`,
    );
    const memory = process.memoryUsage();
    lines.push(
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${memory.rss}`,
      '# HELP nodejs_heap_size_used_bytes V8 heap in use, in bytes.',
      '# TYPE nodejs_heap_size_used_bytes gauge',
      `nodejs_heap_size_used_bytes ${memory.heapUsed}`,
      '# HELP nodejs_heap_size_total_bytes V8 heap reserved, in bytes.',
      '# TYPE nodejs_heap_size_total_bytes gauge',
      `nodejs_heap_size_total_bytes ${memory.heapTotal}`,
      '# HELP nodejs_external_memory_bytes Memory of C++ objects bound to JavaScript, in bytes.',
      '# TYPE nodejs_external_memory_bytes gauge',
      `nodejs_external_memory_bytes ${memory.external}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
