import { parseArgs } from 'node:util';
import { ConfigError } from '@axnbot/chatops';
import { formatBeijingTime } from '@axnbot/core';
import { DEMO_POOL_KEY, startEmulator } from '@axnbot/emulator';
import { UsageError } from '../usage-error.js';

export const EMULATOR_USAGE = `Usage: axn emulator [options]

Runs a local Alibaba Cloud number-privacy (dyplsapi) emulator until SIGINT or SIGTERM.

Options:
  --host HOST             address to listen on (default 127.0.0.1)
  --port PORT             port (default 8787; 0 picks a free one)
  --db PATH               SQLite file, or :memory: (default ./.axnbot/emulator.db)
  --seed demo|none        create pool FC-DEMO with 25 numbers in five cities (default demo)
  --keys ID:SECRET,…      access keys to accept (default testid:testsecret)
  --receipt-url URL       push call receipts here, as Aliyun's HTTP push does; a {type} in the URL is
                          replaced by each message type (SecretStartReport, SecretRingReport,
                          SecretPickUpReport, SecretReport, SecretRecording), one URL per type
  --operator-token TOKEN  require "Authorization: Bearer TOKEN" on the operator API, which then answers
                          under any host name (to reach it from another machine); at least 16 characters
  -h, --help              show this help

Operator API, JSON, under /_emulator/ (see the emulator's README). Writes must be sent as
Content-Type: application/json; without --operator-token it answers only requests addressed to
127.0.0.1, localhost or [::1] with the port.
  GET              health
  GET POST         pools
  DELETE           pools/KEY
  GET POST         pools/KEY/numbers
  DELETE           numbers/SECRETNO
  GET              bindings?status=active|expired|unbound&pool=KEY&secretNo=X&limit=N&cursor=C
  GET POST DELETE  faults
  POST             faults/qps
  GET POST         clock
  POST             calls
  GET              receipts?type=TYPE&callId=ID
  POST             receipts/ID/repush      push a stored receipt again (a duplicate, as Aliyun retries)
  POST             inventory`;

/** The default access key pair, which the banner may show: it is no secret. */
const DEFAULT_KEYS = 'testid:testsecret';
/** The demo seed's first X number, which the banner's bind example chooses so the look-up finds it. */
const DEMO_X = '17000000001';

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
      keys: { type: 'string', default: DEFAULT_KEYS },
      'receipt-url': { type: 'string' },
      'operator-token': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${EMULATOR_USAGE}\n`);
    return 0;
  }
  const port = Number(values.port);
  if (!/^\d{1,5}$/.test(values.port) || port > 65535)
    throw new UsageError(`--port: "${values.port}" is not a port number`);
  if (values.seed !== 'demo' && values.seed !== 'none')
    throw new UsageError(`--seed: "${values.seed}" must be demo or none`);
  const receiptUrl = values['receipt-url'];
  if (receiptUrl !== undefined && !/^https?:\/\//.test(receiptUrl))
    throw new UsageError('--receipt-url must be an http(s) URL');
  const operatorToken = values['operator-token'];
  if (operatorToken !== undefined && operatorToken.length < 16)
    throw new UsageError('--operator-token must be at least 16 characters (e.g. from openssl rand -hex 16)');
  const keys = parseKeys(values.keys);
  const emu = await startEmulator({
    host: values.host,
    port,
    db: values.db,
    seed: values.seed,
    keys,
    receiptUrl,
    operatorToken,
  }).catch((error: unknown) => {
    throw listenProblem(error, values.host, port) ?? error;
  });
  out.write(
    banner({
      url: emu.url,
      localUrl: localUrlOf(values.host, emu.port, emu.url),
      db: values.db,
      keys,
      defaultKeys: values.keys === DEFAULT_KEYS,
      demo: values.seed === 'demo',
      token: operatorToken !== undefined,
      now: emu.clock.now(),
    }),
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

/** A listen failure the user can fix, as one line saying how; `undefined` for anything else. */
function listenProblem(error: unknown, host: string, port: number): ConfigError | undefined {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return new ConfigError(
        `port ${port} on ${host} is already in use: pick another with --port (e.g. --port ${port === 65535 ? 8788 : port + 1}), or --port 0 for any free one`,
      );
    case 'EACCES':
      return new ConfigError(
        `port ${port} needs privileges this user does not have: pick one above 1023 with --port, or --port 0 for any free one`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ConfigError(
        `--host ${host} is not an address of this machine: use 127.0.0.1 (the default), or 0.0.0.0 for every interface`,
      );
    default:
      return undefined;
  }
}

/** Where a client on this machine reaches the emulator: a wildcard address names no host to call. */
function localUrlOf(host: string, port: number, url: string): string {
  return host === '0.0.0.0' || host === '::' ? `http://127.0.0.1:${port}` : url;
}

interface BannerFacts {
  readonly url: string;
  readonly localUrl: string;
  readonly db: string;
  readonly keys: ReadonlyMap<string, string>;
  /** Only the default key pair is shown in full; a secret the user chose is never printed. */
  readonly defaultKeys: boolean;
  readonly demo: boolean;
  readonly token: boolean;
  readonly now: number;
}

/**
 * What the emulator prints once listening: where it is, and commands to try that work as printed —
 * with the demo pool a bind on a chosen X and the look-up that then finds it, without one the
 * operator calls that create a pool (nothing names a pool that does not exist).
 */
export function banner(facts: BannerFacts): string {
  const [keyId] = facts.keys.keys();
  const lines = [
    `axn emulator listening on ${facts.url}`,
    `  database  ${facts.db}`,
    `  keys      ${[...facts.keys.keys()].join(', ')} (secrets as given)`,
    facts.demo
      ? `  pool      ${DEMO_POOL_KEY} (25 numbers: 北京 上海 广州 深圳 杭州, 3-digit extensions)`
      : '  pools     none yet (--seed none): create one through the operator API, below',
    `  operator  ${facts.localUrl}/_emulator/health${facts.token ? ' (Authorization: Bearer <your --operator-token>)' : ''}`,
    'Try, in another terminal:',
  ];
  if (facts.demo) {
    const secret = facts.defaultKeys ? facts.keys.get(keyId as string) : '<its secret from --keys>';
    // A day ahead, in the Beijing time the API expects; the bind chooses X so the look-up finds it.
    const expiration = formatBeijingTime(facts.now + 86_400_000);
    lines.push(
      `  export ALIBABA_CLOUD_ACCESS_KEY_ID=${keyId} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${secret} AXN_ENDPOINT=${facts.localUrl}`,
      `  axn api BindAxnExtension PoolKey=${DEMO_POOL_KEY} PhoneNoA=13800138000 PhoneNoX=${DEMO_X} "Expiration=${expiration}"`,
      `  axn api QuerySubsId PoolKey=${DEMO_POOL_KEY} PhoneNoX=${DEMO_X}`,
    );
  } else {
    const auth = facts.token ? ` -H 'authorization: Bearer <your --operator-token>'` : '';
    const post = `curl -H 'content-type: application/json'${auth}`;
    lines.push(
      `  ${post} -d '{"key":"FC-LOCAL"}' ${facts.localUrl}/_emulator/pools`,
      `  ${post} -d '{"numbers":[{"secretNo":"17100000001","city":"北京"}]}' ${facts.localUrl}/_emulator/pools/FC-LOCAL/numbers`,
    );
  }
  return `${lines.join('\n')}\n`;
}
