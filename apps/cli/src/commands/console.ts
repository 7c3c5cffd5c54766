import { randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseCommand, renderText } from '@axnbot/chatops';
import { createRuntime, STATE_DIR } from '../runtime.js';

export const CONSOLE_USAGE = `Usage: axn console

An interactive chat with axnbot in your terminal: type the same commands as in Slack or DingTalk.

  /bind 13800138000 city=北京 expires=2d
  绑定 13800138000 城市=北京 有效期=2天
  list · info <A number> · extend <SubsId> 1d · unbind <SubsId> · help

By default (AXN_ENDPOINT unset or "embedded") it runs a local emulator with the demo pool FC-DEMO, so
no cloud account is needed; state lives in ./.axnbot/. Set AXN_ENDPOINT, AXN_POOL_KEY, AXN_HASH_KEY and
the ALIBABA_CLOUD_* variables to use Alibaba Cloud. Type exit (or press Ctrl-D) to leave.`;

const HISTORY_FILE = join(STATE_DIR, 'history');
const HISTORY_SIZE = 500;

/** `axn console`: a prompt, line editing and history, colour on a TTY, help on start. */
export async function consoleCommand(
  argv: string[],
  input: NodeJS.ReadableStream,
  out: NodeJS.WritableStream & { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    out.write(`${CONSOLE_USAGE}\n`);
    return 0;
  }
  const runtime = await createRuntime(env);
  const color = out.isTTY === true && !env.NO_COLOR;
  const now = () => Date.now();
  const where = runtime.emulator
    ? `embedded emulator ${runtime.emulator.url}, pool ${runtime.config.poolKey}`
    : `${runtime.config.endpoint}, pool ${runtime.config.poolKey}`;
  out.write(`axnbot console — ${where}\n`);
  out.write(`${renderText({ kind: 'help', locale: runtime.config.locale }, { now: now(), color })}\n`);
  out.write(`Try: /bind 13800138000 city=北京 expires=2d    (exit or Ctrl-D to leave)\n`);

  const rl = createInterface({
    input,
    output: out,
    terminal: out.isTTY === true,
    history: loadHistory(),
    historySize: HISTORY_SIZE,
    prompt: 'axn> ',
  });
  rl.prompt();
  // Lines are handled one at a time, in order, even when pasted in a batch.
  let queue = Promise.resolve();
  await new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      queue = queue.then(async () => {
        const text = line.trim();
        if (text === 'exit' || text === 'quit' || text === '退出') {
          rl.close();
          return;
        }
        if (text) {
          rememberLine(text);
          const command = parseCommand(text, {
            now: now(),
            locale: runtime.config.locale,
            defaultExpiresMs: runtime.config.defaultExpiresMs,
            maxExpiresMs: runtime.config.maxExpiresMs,
            maxBulk: runtime.config.maxBulk,
          });
          const reply = await runtime.service.execute(command, {
            ...runtime.actor,
            idempotencyKey: randomUUID(),
          });
          out.write(`${renderText(reply, { now: now(), color })}\n`);
        }
        rl.prompt();
      });
    });
    rl.on('close', () => {
      queue.then(() => resolve());
    });
  });
  await runtime.close();
  out.write('bye\n');
  return 0;
}

function loadHistory(): string[] {
  try {
    return readFileSync(HISTORY_FILE, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

/** Appends a line to the history file; history is a convenience, so a failure to write is ignored. */
function rememberLine(line: string): void {
  try {
    appendFileSync(HISTORY_FILE, `${line.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
  } catch {
    // Read-only directory: the session still has its in-memory history.
  }
}
