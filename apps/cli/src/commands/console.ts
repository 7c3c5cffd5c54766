import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseCommand, parseContextFor, phrase, renderText } from '@axnbot/chatops';
import { ConsoleHistory } from '../history.js';
import { createRuntime, STATE_DIR } from '../runtime.js';

export const CONSOLE_USAGE = `Usage: axn console

An interactive chat with axnbot in your terminal: type the same commands as in Slack or DingTalk.

  /bind 13800138000 city=北京 expires=2d
  绑定 13800138000 城市=北京 有效期=2天
  list · info <A number> · extend <SubsId> 1d · unbind <SubsId> · help

By default (AXN_ENDPOINT unset or "embedded") it runs a local emulator with the demo pool FC-DEMO, so
no cloud account is needed; state lives in ./.axnbot/. Set AXN_ENDPOINT, AXN_POOL_KEY, AXN_HASH_KEY and
the ALIBABA_CLOUD_* variables to use Alibaba Cloud. Ctrl-C clears the line you are typing; type exit, or
press Ctrl-D or Ctrl-C on an empty line, to leave. Lines holding a phone number are kept out of the
history file (./.axnbot/history); Up still recalls them during the session.`;

const HISTORY_FILE = join(STATE_DIR, 'history');
const HISTORY_SIZE = 500;

/** What leaves the console, in either language. */
const EXIT_WORDS = new Set([phrase('console.exit', 'en'), phrase('console.exit', 'zh'), 'quit']);

/**
 * `axn console`: a prompt, line editing and history, colour on a TTY, help on start. Ctrl-C drops a
 * half-typed line as a shell does; on an empty line it leaves, like Ctrl-D.
 */
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
  // The console greets in the user's language (AXN_LOCALE), as its replies do.
  const { locale, poolKey: pool } = runtime.config;
  const where = runtime.emulator
    ? phrase('console.embedded', locale, { url: runtime.emulator.url, pool })
    : phrase('console.endpoint', locale, { url: runtime.config.endpoint, pool });
  out.write(`${phrase('console.banner', locale, { where })}\n`);
  out.write(`${renderText({ kind: 'help', locale }, { now: now(), color })}\n`);
  const example = phrase('help.exampleSlashCommand', locale);
  out.write(`${phrase('console.try', locale, { command: example, exit: phrase('console.exit', locale) })}\n`);

  const history = new ConsoleHistory(HISTORY_FILE, HISTORY_SIZE);
  const rl = createInterface({
    input,
    output: out,
    terminal: out.isTTY === true,
    history: history.load(),
    historySize: HISTORY_SIZE,
    prompt: 'axn> ',
  });
  // Without a listener readline closes on Ctrl-C, which threw away the session over a typo.
  rl.on('SIGINT', () => {
    const typed = rl.line;
    if (typed.length === 0) {
      rl.close();
      return;
    }
    // Empty readline's buffer through its own keys (end, then delete to start), leave what was dropped
    // on screen marked ^C, as shells do, and start a fresh line.
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    out.write(`${typed}^C\n`);
    rl.prompt();
  });
  rl.prompt();
  // Input can end (piped stdin, Ctrl-D) while earlier lines are still being answered. Node.js 20 still
  // printed the prompt after each of their answers; Node.js 24 throws (ERR_USE_AFTER_CLOSE) instead, so
  // the prompt is then written by hand, and a transcript reads the same on both.
  let closed = false;
  rl.on('close', () => {
    closed = true;
  });
  // Lines are handled one at a time, in order, even when pasted in a batch.
  let queue = Promise.resolve();
  await new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      queue = queue.then(async () => {
        const text = line.trim();
        if (EXIT_WORDS.has(text)) {
          rl.close();
          return;
        }
        if (text) {
          history.remember(text);
          const command = parseCommand(text, parseContextFor(runtime.config, now()));
          const reply = await runtime.service.execute(command, {
            ...runtime.actor,
            idempotencyKey: randomUUID(),
          });
          out.write(`${renderText(reply, { now: now(), color })}\n`);
        }
        if (closed) out.write(rl.getPrompt());
        else rl.prompt();
      });
    });
    rl.on('close', () => {
      queue.then(() => resolve());
    });
  });
  await runtime.close();
  out.write(`${phrase('console.bye', locale)}\n`);
  return 0;
}
