// `pnpm bench`: runs every package's benchmark (each figure against an anchor measured in the same
// process run) and writes BENCHMARKS.md.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const suites = [
  ['core', '../packages/core/bench/index.mjs'],
  ['emulator', '../packages/emulator/bench/index.mjs'],
  ['chatops', '../packages/chatops/bench/index.mjs'],
  ['slack-bot', '../apps/slack-bot/bench/index.mjs'],
  ['dingtalk-bot', '../apps/dingtalk-bot/bench/index.mjs'],
];
const only = process.argv.slice(2);

const sections = [];
for (const [name, path] of suites) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`bench: ${name}…\n`);
  const { run } = await import(new URL(path, import.meta.url));
  const section = await run();
  sections.push(section);
  for (const [metric, value, anchor, ratio, target, met] of section.rows) {
    process.stdout.write(
      `  ${metric}: ${value} | anchor ${anchor} | ${ratio} | target ${target} ${met === undefined ? '' : met ? '✓' : '✗ MISSED'}\n`,
    );
  }
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
const lines = [
  '# Benchmarks',
  '',
  'Written by `pnpm bench`. Every figure is measured against an anchor in the same run, on the same machine;',
  'ratios, not absolute numbers, are what carry from one machine to another.',
  '',
  `- machine: ${machine}`,
  `- Node.js: ${process.version}`,
  `- date: ${new Date().toISOString()}`,
  '',
];
for (const section of sections) {
  lines.push(
    `## ${section.title}`,
    '',
    '| metric | value | anchor | ratio | target | met |',
    '|---|---|---|---|---|---|',
  );
  for (const [metric, value, anchor, ratio, target, met] of section.rows) {
    lines.push(
      `| ${metric} | ${value} | ${anchor} | ${ratio} | ${target} | ${met === undefined ? '—' : met ? 'yes' : '**no**'} |`,
    );
  }
  if (section.notes) lines.push('', section.notes);
  lines.push('');
}
if (only.length === 0) writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), `${lines.join('\n')}\n`);
else process.stdout.write('bench: partial run, BENCHMARKS.md left as it was\n');
