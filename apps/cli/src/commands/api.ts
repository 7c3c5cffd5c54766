import { parseArgs } from 'node:util';
import { AxnError, createDyplsClient, OPERATIONS } from '@axnbot/core';
import { requireCredentials } from '../credentials.js';
import { UsageError } from '../usage-error.js';

export const API_USAGE = `Usage: axn api <Action> [Key=Value …] [options]

Makes one signed dyplsapi call and prints the decoded response.

  axn api BindAxnExtension PoolKey=FC-DEMO PhoneNoA=13800138000 "Expiration=2030-01-01 12:00:00"

Options:
  --endpoint URL        API endpoint (default $AXN_ENDPOINT, else https://dyplsapi.aliyuncs.com)
  --signature v2|v3     signature method (default v3)
  --method GET|POST     HTTP method (default POST)
  --json                print the response as JSON
  -h, --help            show this help

Credentials come from ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and the optional
ALIBABA_CLOUD_SECURITY_TOKEN. Exit status: 0 on Code OK, 1 on an API or network error, 2 on a usage error.`;

/** `axn api`: one raw call through the core client. */
export async function apiCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      endpoint: { type: 'string' },
      signature: { type: 'string', default: 'v3' },
      method: { type: 'string', default: 'POST' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    out.write(`${API_USAGE}\n`);
    return 0;
  }
  const [action, ...pairs] = positionals;
  if (!action)
    throw new UsageError('name an action, e.g. axn api QuerySubsId PoolKey=FC-DEMO PhoneNoX=17000000001');
  if (!/^[A-Z][A-Za-z0-9]+$/.test(action))
    throw new UsageError(`"${action}" is not an action name (e.g. BindAxnExtension)`);
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`"${pair}" is not Key=Value`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const signature = values.signature;
  if (signature !== 'v2' && signature !== 'v3')
    throw new UsageError(`--signature must be v2 or v3, not "${signature}"`);
  const method = values.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST')
    throw new UsageError(`--method must be GET or POST, not "${values.method}"`);
  const endpoint = values.endpoint ?? env.AXN_ENDPOINT;
  if (endpoint === 'embedded')
    throw new UsageError('axn api needs a URL endpoint; start one with `axn emulator`');
  try {
    requireCredentials(env);
    const client = createDyplsClient({ endpoint, signature, method, env });
    try {
      const effect = (Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action]?.effect : undefined) ?? 'write';
      const body = await client.callRaw(action, params, effect);
      out.write(values.json ? `${JSON.stringify(body)}\n` : pretty(body));
      return 0;
    } finally {
      await client.close();
    }
  } catch (error) {
    if (!(error instanceof AxnError)) throw error;
    const { remedy } = error.describe('en');
    if (values.json) {
      out.write(`${JSON.stringify({ error: { ...error.toJSON(), remedy } })}\n`);
    } else {
      err.write(`error ${error.code}: ${error.message}\n`);
      err.write(`  what to do: ${remedy}\n`);
      if (error.requestId) err.write(`  RequestId: ${error.requestId}\n`);
      if (error.recommend) err.write(`  see: ${error.recommend}\n`);
    }
    return 1;
  }
}

/** An indented `Key: value` rendering of a response, nested objects below their key. */
function pretty(value: Record<string, unknown>, indent = ''): string {
  let text = '';
  for (const [key, child] of Object.entries(value)) {
    if (child !== null && typeof child === 'object')
      text += `${indent}${key}:\n${pretty(child as Record<string, unknown>, `${indent}  `)}`;
    else text += `${indent}${key}: ${child}\n`;
  }
  return text;
}
