import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** A clean environment: no AXN_* or Alibaba variables from the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AXN_') && !key.startsWith('ALIBABA_CLOUD_')) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

function axn(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'axn-cli-')),
      env: options.env ?? cleanEnv(),
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
    child.stdin.end(options.input ?? '');
  });
}

describe('axn console', () => {
  it('binds, lists, looks up, extends and unbinds as a person types, on the embedded emulator', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'axn-console-'));
    const session = [
      '/bind 13800138000 city=北京 expires=2d',
      '绑定 13900139000 城市=上海 有效期=3天',
      'bind 13800138000 citty=北京',
      'list',
      'info 13800138000',
      'extend 13800138000 5d',
      'unbind 13800138000',
      'exit',
    ].join('\n');
    const { code, stdout, stderr } = await axn(['console'], { cwd, input: `${session}\n` });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('axnbot console — embedded emulator http://127.0.0.1:');
    expect(stdout).toContain('bind <A number>');
    const answers = stdout.split('axn> ').slice(1);
    expect(answers[0]).toMatch(
      /✅ Bound\n138\*\*\*\*8000 → 170 0000 00\d\d ext \d{3} \(北京\)\n {2}dial: tel:\+86170000000\d\d,,\d{3}\n {2}until .* \(Beijing\) · in 2 days/,
    );
    expect(answers[1]).toMatch(/✅ 绑定成功\n139\*\*\*\*9000 → 170 0000 00\d\d 分机号 \d{3}（上海）/);
    expect(answers[2]).toContain('did you mean city?');
    expect(answers[3]).toContain('2 live binding(s)');
    expect(answers[4]).toContain('status active');
    expect(answers[5]).toContain('⏩ Extended');
    expect(answers[6]).toContain('🔓 Unbound');
    expect(stdout).toContain('bye');
    expect(stdout).not.toContain('13800138000 →');
    expect(existsSync(join(cwd, '.axnbot', 'axnbot.db'))).toBe(true);
    // Lines holding a phone number stay out of the history file (console-privacy.test.ts).
    const history = readFileSync(join(cwd, '.axnbot', 'history'), 'utf8');
    expect(history).toBe('list\n');
    expect(history).not.toContain('13800138000');

    // A second session in the same folder sees the first one's state.
    const again = await axn(['console'], { cwd, input: 'list\n' });
    expect(again.stdout).toContain('1 live binding(s)');
    expect(again.stdout).toContain('139****9000');
  });

  it("greets, helps and says goodbye in the user's language with AXN_LOCALE=zh", async () => {
    const { code, stdout, stderr } = await axn(['console'], {
      env: cleanEnv({ AXN_LOCALE: 'zh' }),
      input: '退出\n',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^axnbot 控制台 — 内置模拟器 http:\/\/127\.0\.0\.1:\d+，号池 FC-DEMO\n/);
    expect(stdout).toContain('axnbot 把真实号码（A号码）隐藏在隐私号（X号码）和分机号后面。命令：');
    expect(stdout).toContain('试试：/bind 13800138000 城市=北京 有效期=2天（输入“退出”或按 Ctrl-D 离开）');
    expect(stdout).toContain('再见');
    expect(stdout).not.toMatch(/console|Try:|bye/);
  });

  it('stops with one line naming a bad setting', async () => {
    const { code, stdout, stderr } = await axn(['console'], {
      env: cleanEnv({ AXN_DEFAULT_EXPIRES: 'soon' }),
    });
    expect(code).toBe(1);
    expect(stderr).toBe('axn: AXN_DEFAULT_EXPIRES must be a duration such as 1d, 12h or 90m (got "soon")\n');
    expect(stdout).toBe('');
  });

  it('needs AXN_POOL_KEY and AXN_HASH_KEY for a real endpoint', async () => {
    const { code, stderr } = await axn(['run', 'list'], {
      env: cleanEnv({ AXN_ENDPOINT: 'https://dyplsapi.aliyuncs.com' }),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^axn: AXN_POOL_KEY is required/);
  });
});

describe('axn run', () => {
  it('prints the reply, or JSON, with exit 0 on success and 1 on a refusal', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'axn-run-'));
    const bound = await axn(['run', '/bind 13800138000 city=北京 expires=2d'], { cwd });
    expect(bound.code).toBe(0);
    expect(bound.stdout).toContain('✅ Bound');
    const json = await axn(['run', 'list', '--json'], { cwd });
    expect(json.code).toBe(0);
    const reply = JSON.parse(json.stdout);
    expect(reply).toMatchObject({
      kind: 'list',
      bindings: [{ phoneMasked: '138****8000', status: 'active' }],
    });
    const refused = await axn(['run', 'bind 13800138000 x=17000000099'], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('That X number does not exist');
    const parse = await axn(['run', 'bnd 1'], { cwd });
    expect(parse.code).toBe(1);
    expect(parse.stdout).toContain('did you mean bind?');
  });

  it('is a usage error without a command', async () => {
    const { code, stderr } = await axn(['run']);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: axn run');
  });
});

describe('axn emulator and axn api', () => {
  async function startEmulator(): Promise<{
    child: ChildProcess;
    url: string;
    exited: Promise<number | null>;
  }> {
    const cwd = mkdtempSync(join(tmpdir(), 'axn-emu-'));
    const child = spawn(
      process.execPath,
      [BIN, 'emulator', '--port', '0', '--db', ':memory:', '--keys', 'testid:testsecret,other:othersecret'],
      { cwd, env: cleanEnv() },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once('line', resolve),
    );
    const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
    if (!url) throw new Error(`unexpected first line: ${line}`);
    return { child, url, exited };
  }

  it('serves signed calls from axn api and stops cleanly on SIGTERM', async () => {
    const { child, url, exited } = await startEmulator();
    const env = cleanEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'testid',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'testsecret',
      AXN_ENDPOINT: url,
    });
    const bound = await axn(
      [
        'api',
        'BindAxnExtension',
        'PoolKey=FC-DEMO',
        'PhoneNoA=13800138000',
        'Expiration=2030-01-01 12:00:00',
        '--json',
      ],
      { env },
    );
    expect(bound.code).toBe(0);
    const body = JSON.parse(bound.stdout);
    expect(body).toMatchObject({ Code: 'OK', SecretBindDTO: { SecretNo: expect.stringMatching(/^170/) } });
    const pretty = await axn(
      [
        'api',
        'QuerySubsId',
        'PoolKey=FC-DEMO',
        `PhoneNoX=${body.SecretBindDTO.SecretNo}`,
        '--signature',
        'v2',
        '--method',
        'GET',
      ],
      { env },
    );
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toContain(`SubsId: ${body.SecretBindDTO.SubsId}`);
    const conflict = await axn(
      [
        'api',
        'BindAxnExtension',
        'PoolKey=FC-DEMO',
        'PhoneNoA=13800138000',
        'Expiration=2030-01-01 12:00:00',
        `PhoneNoX=${body.SecretBindDTO.SecretNo}`,
      ],
      { env },
    );
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(
      /^error isv\.BIND_CONFLICT: isv\.BIND_CONFLICT\n {2}what to do: .+\n {2}RequestId: [0-9A-F-]{36}\n$/,
    );
    const wrongSecret = await axn(['api', 'QuerySubsId', 'PoolKey=FC-DEMO', 'PhoneNoX=17000000001'], {
      env: { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'nope-nope' },
    });
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.stderr).toContain('error SignatureDoesNotMatch');
    expect(wrongSecret.stderr).not.toContain('nope-nope');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('answers usage errors with exit 2 and the command usage', async () => {
    for (const args of [
      ['api'],
      ['api', 'lower'],
      ['api', 'QuerySubsId', 'novalue'],
      ['api', 'QuerySubsId', '--signature', 'v9'],
      ['emulator', '--port', 'abc'],
      ['emulator', '--keys', 'nocolon'],
      ['nonsense'],
      [],
    ]) {
      const { code, stderr, stdout } = await axn(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr + stdout).toMatch(/Usage: axn/);
    }
  });

  it('fails a call with no credentials with exit 1 naming the variable', async () => {
    const { code, stderr } = await axn([
      'api',
      'QuerySubsId',
      'PoolKey=FC-DEMO',
      'PhoneNoX=1',
      '--endpoint',
      'http://127.0.0.1:9',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
  });

  it('describes every command with --help', async () => {
    for (const command of ['console', 'run', 'emulator', 'api']) {
      const { code, stdout } = await axn([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: axn ${command}`);
    }
    const top = await axn(['--help']);
    expect(top.stdout).toContain('console');
    expect(top.code).toBe(0);
  });
});
