import { parseArgs } from 'node:util';
import { startEmulator } from '@axnbot/emulator';
import { UsageError } from '../usage-error.js';

export const EMULATOR_USAGE = `Usage: axn emulator [options]

Runs a local Alibaba Cloud number-privacy (dyplsapi) emulator until SIGINT or SIGTERM.

Options:
  --host HOST          address to listen on (default 127.0.0.1)
  --port PORT          port (default 8787; 0 picks a free one)
  --db PATH            SQLite file, or :memory: (default ./.axnbot/emulator.db)
  --seed demo|none     create pool FC-DEMO with 25 numbers in five cities (default demo)
  --keys ID:SECRET,…   access keys to accept (default testid:testsecret)
  --receipt-url URL    push call receipts (SecretStartReport, SecretReport) here
  -h, --help           show this help

The operator API lives under /_emulator/ (health, pools, numbers, bindings, faults, clock, calls, receipts).`;

/** Parses `id:secret,id2:secret2`. */
export function parseKeys(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const pair of text.split(',')) {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) throw new UsageError(`--keys: "${pair}" is not ID:SECRET`);
    keys.set(pair.slice(0, colon), pair.slice(colon + 1));
  }
  return keys;
}

/** `axn emulator`: starts the server, prints where it is, and stops cleanly on a signal. */
export async function emulatorCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8787' },
      db: { type: 'string', default: './.axnbot/emulator.db' },
      seed: { type: 'string', default: 'demo' },
      keys: { type: 'string', default: 'testid:testsecret' },
      'receipt-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${EMULATOR_USAGE}\n`);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: "${values.port}" is not a port number`);
  if (values.seed !== 'demo' && values.seed !== 'none')
    throw new UsageError(`--seed: "${values.seed}" must be demo or none`);
  const receiptUrl = values['receipt-url'];
  if (receiptUrl !== undefined && !/^https?:\/\//.test(receiptUrl))
    throw new UsageError('--receipt-url must be an http(s) URL');
  const keys = parseKeys(values.keys);
  const emu = await startEmulator({
    host: values.host,
    port,
    db: values.db,
    seed: values.seed,
    keys,
    receiptUrl,
  });
  out.write(`axn emulator listening on ${emu.url}\n`);
  out.write(`  database  ${values.db}\n`);
  out.write(`  keys      ${[...keys.keys()].join(', ')} (secrets as given)\n`);
  if (values.seed === 'demo')
    out.write('  pool      FC-DEMO (25 numbers: 北京 上海 广州 深圳 杭州, 3-digit extensions)\n');
  out.write(`  operator  ${emu.url}/_emulator/health\n`);
  out.write(
    `Try: ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret axn api QuerySubsId PoolKey=FC-DEMO PhoneNoX=17000000001 --endpoint ${emu.url}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emu.close();
  out.write('axn emulator stopped\n');
  return 0;
}
