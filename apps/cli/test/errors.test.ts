import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** The machine's environment without any AXN_* or Alibaba Cloud variable, plus `extra`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AXN_') && !key.startsWith('ALIBABA_CLOUD_')) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

function axn(args: string[], env: NodeJS.ProcessEnv = cleanEnv()) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: mkdtempSync(join(tmpdir(), 'axn-errors-')),
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

const BOTH = 'Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET in the environment';
const API = [
  'api',
  'QuerySubsId',
  'PoolKey=FC-DEMO',
  'PhoneNoX=17000000001',
  '--endpoint',
  'http://127.0.0.1:9',
];

describe('missing credentials are named as environment variables, not SDK options', () => {
  it('axn api with no AccessKey at all', async () => {
    const { code, stdout, stderr } = await axn(API);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      'No Alibaba Cloud AccessKey: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set.',
    );
    expect(stderr).toContain(BOTH);
    expect(stderr).toContain('ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials');
    expect(stderr).not.toContain('credentials.');
    expect(stderr).not.toContain('pass ');
  });

  it('axn api with only the id names the secret, and never echoes the id', async () => {
    const { code, stderr } = await axn(API, cleanEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIsecretish' }));
    expect(code).toBe(1);
    expect(stderr).toContain('No Alibaba Cloud AccessKey: ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set.');
    expect(stderr).not.toContain('LTAIsecretish');
    expect(stderr).not.toContain('credentials.');
  });

  it('axn api --json carries the same words', async () => {
    const { code, stdout } = await axn([...API, '--json']);
    expect(code).toBe(1);
    const body = JSON.parse(stdout);
    expect(body.error.code).toBe('local.CONFIG');
    expect(body.error.message).toContain(BOTH);
  });

  it('axn run against a real endpoint stops with one line', async () => {
    const { code, stdout, stderr } = await axn(
      ['run', 'list'],
      cleanEnv({
        AXN_ENDPOINT: 'http://127.0.0.1:9',
        AXN_POOL_KEY: 'FC-DEMO',
        AXN_HASH_KEY: '0123456789abcdef0123456789abcdef',
      }),
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^axn: No Alibaba Cloud AccessKey: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set\. Set /,
      ),
      '',
    ]);
  });
});

describe('chat errors in the user’s words, through axn run', () => {
  it('names the key the user typed for an over-long out=', async () => {
    const { code, stdout } = await axn(['run', `bind 13800138000 out=${'x'.repeat(900)}`]);
    expect(code).toBe(1);
    expect(stdout).toContain('out is 900 bytes; at most 255.');
    expect(stdout).not.toContain('business id');
  });

  it('shows an unclosed quote shortened with … and the verb’s usage, not the whole help', async () => {
    const { code, stdout } = await axn([
      'run',
      'bind 13800138000 out="order 42 for the customer who called about the parcel',
    ]);
    expect(code).toBe(1);
    const rest = '"order 42 for the customer who called about the parcel';
    expect(stdout).toContain(`A quote is not closed: ${rest.slice(0, 40)}…\n`);
    expect(stdout).toContain('bind <A number>');
    expect(stdout).not.toContain('unbind <SubsId');
    expect(stdout).not.toContain('list [mine | all]');
  });
});
