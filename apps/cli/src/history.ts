import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mayHoldPhoneNumber } from '@axnbot/chatops';

/**
 * The console's history file. A line that may hold a phone number (see `mayHoldPhoneNumber`: 7 or more
 * digits) is never written to it — readline still keeps it in the session's memory, so Up recalls it — and
 * such lines left by older versions are dropped from the file when it is read. History is a convenience,
 * so a file that cannot be read or written is ignored.
 */
export class ConsoleHistory {
  constructor(
    private readonly path: string,
    private readonly size: number,
  ) {}

  /** The remembered lines, newest first (readline's order), scrubbing any that may hold a number. */
  load(): string[] {
    let lines: string[];
    try {
      lines = readFileSync(this.path, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
    const kept = lines.filter((line) => !mayHoldPhoneNumber(line));
    if (kept.length !== lines.length) {
      try {
        writeFileSync(this.path, kept.map((line) => `${line}\n`).join(''), { mode: 0o600 });
      } catch {
        // Read-only: the numbers stay in the old file, but none is added and none is shown.
      }
    }
    return kept.reverse().slice(0, this.size);
  }

  /** Appends a line unless it may hold a phone number. */
  remember(line: string): void {
    if (mayHoldPhoneNumber(line)) return;
    try {
      appendFileSync(this.path, `${line.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
    } catch {
      // Read-only directory: the session still has its in-memory history.
    }
  }
}
