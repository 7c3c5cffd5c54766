import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isSuccess, parseCommand, parseContextFor, renderText } from '@axnbot/chatops';
import { createRuntime } from '../runtime.js';
import { UsageError } from '../usage-error.js';

export const RUN_USAGE = `Usage: axn run "<command>" [--json]

Runs one chat command through the binding service and prints the reply.

  axn run "/bind 13800138000 city=北京 expires=2d"
  axn run "list" --json

Same configuration as axn console. Exit status: 0 on success, 1 on a refusal or failure, 2 on a usage error.`;

/** `axn run`: one command, its Reply printed (as JSON with --json). */
export async function runCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    out.write(`${RUN_USAGE}\n`);
    return 0;
  }
  const text = positionals.join(' ').trim();
  if (!text) throw new UsageError('give the command to run, in quotes');
  const runtime = await createRuntime(env);
  try {
    const command = parseCommand(text, parseContextFor(runtime.config, Date.now()));
    const reply = await runtime.service.execute(command, { ...runtime.actor, idempotencyKey: randomUUID() });
    out.write(values.json ? `${JSON.stringify(reply)}\n` : `${renderText(reply, { now: Date.now() })}\n`);
    return isSuccess(reply) ? 0 : 1;
  } finally {
    await runtime.close();
  }
}
