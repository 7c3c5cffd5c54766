import { readFileSync } from 'node:fs';
import { isConfigError } from '@axnbot/chatops';
import { API_USAGE, apiCommand } from './commands/api.js';
import { CONSOLE_USAGE, consoleCommand } from './commands/console.js';
import { EMULATOR_USAGE, emulatorCommand } from './commands/emulator.js';
import { RUN_USAGE, runCommand } from './commands/run.js';
import { UsageError } from './usage-error.js';

export const MAIN_USAGE = `axn — bind Alibaba Cloud privacy numbers from your terminal

Usage: axn <command> [options]

Commands:
  console         chat with axnbot in the terminal (/bind 13800138000 city=北京 expires=2d)
  run "<command>" run one chat command and print the reply
  emulator        run a local dyplsapi emulator (no cloud account needed)
  api <Action>    make one signed API call and print the response
  help [command]  this help, or a command's options (same as axn <command> --help)
  --version       print the version

Run \`axn <command> --help\` for a command's options.`;

interface Io {
  readonly in: NodeJS.ReadableStream;
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly err: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

const USAGES: Record<string, string> = {
  console: CONSOLE_USAGE,
  run: RUN_USAGE,
  emulator: EMULATOR_USAGE,
  api: API_USAGE,
};

/** The CLI's version, from its package.json (one level above `dist/` and `src/` alike). */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** Runs `axn` with its arguments and answers the exit status. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    io.out.write(`axn ${cliVersion()}\n`);
    return 0;
  }
  if (command === 'help' && rest.length > 0) {
    const usage = Object.hasOwn(USAGES, rest[0]!) ? USAGES[rest[0]!] : undefined;
    if (usage === undefined || rest.length > 1) {
      io.err.write(`axn: no help for "${rest.join(' ')}"\n\n${MAIN_USAGE}\n`);
      return 2;
    }
    io.out.write(`${usage}\n`);
    return 0;
  }
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    // Bare `axn` is a usage error (exit 2), but a person asking for help gets it with exit 0.
    io.out.write(`${MAIN_USAGE}\n`);
    return command ? 0 : 2;
  }
  try {
    switch (command) {
      case 'console':
        return await consoleCommand(rest, io.in, io.out, io.env);
      case 'run':
        return await runCommand(rest, io.out, io.env);
      case 'emulator':
        return await emulatorCommand(rest, io.out);
      case 'api':
        return await apiCommand(rest, io.out, io.err, io.env);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err.write(`axn: ${(error as Error).message}\n\n${USAGES[command] ?? MAIN_USAGE}\n`);
      return 2;
    }
    // Configuration and setup problems are the user's to fix: one clear line, no stack trace.
    if (isConfigError(error)) {
      io.err.write(`axn: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options. */
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
