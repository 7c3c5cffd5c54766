import { type ChildProcess, spawn } from 'node:child_process';

/** A process started for a test, with what it wrote so far. */
export interface SpawnedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** Its log so far: every stdout line parsed (a line that is not JSON throws). */
  log(): LogLine[];
}

/** One line of a bot's log, as pino writes it. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly time: string;
  readonly component: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Runs a Node script as its start script does, collecting stdout and stderr. */
export function spawnNode(script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): SpawnedProcess {
  const child = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, stdout: () => stdout, stderr: () => stderr, log: () => parseLog(stdout) };
}

/** Parses a log: one JSON object a line, each with a level, time, component and message. */
export function parseLog(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`a log line is not JSON: ${line.slice(0, 200)}`);
      }
      if (!parsed.level || !parsed.time || !parsed.component || typeof parsed.msg !== 'string')
        throw new Error(`a log line lacks level, time, component or msg: ${line.slice(0, 200)}`);
      return parsed;
    });
}

/** Whether the process has logged a line with exactly this message. */
export function hasLogged(process: Pick<SpawnedProcess, 'stdout'>, msg: string): boolean {
  return process.stdout().includes(`"msg":${JSON.stringify(msg)}`);
}

/** A mainland mobile number in clear: 11 digits from 13… to 19…, not part of a longer digit run. */
const CLEAR_PHONE = /(?<!\d)1[3-9]\d{9}(?!\d)/;

/**
 * What a process wrote is a clean log: stderr empty, every stdout line a JSON log line, and none of
 * `secrets` nor any phone number in clear anywhere in it. Answers the parsed lines.
 */
export function expectCleanLog(
  process: Pick<SpawnedProcess, 'stdout' | 'stderr'>,
  secrets: readonly string[],
): LogLine[] {
  if (process.stderr() !== '') throw new Error(`it wrote to stderr: ${process.stderr().slice(0, 300)}`);
  const lines = parseLog(process.stdout());
  for (const secret of secrets)
    if (process.stdout().includes(secret)) throw new Error('a secret reached the log');
  const clear = CLEAR_PHONE.exec(process.stdout());
  if (clear)
    throw new Error(
      `a phone number in clear reached the log: …${process.stdout().slice(Math.max(0, clear.index - 80), clear.index)}`,
    );
  return lines;
}
