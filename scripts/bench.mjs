// `pnpm bench`: runs every package's benchmark (each figure against an anchor measured in the same
// process run) and writes BENCHMARKS.md. `node scripts/bench.mjs chatops replicas` runs some suites only and
// leaves BENCHMARKS.md as it was; with `--write` it replaces just those suites' sections there, each marked
// with when, on which Node.js and under what load it was measured.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

const suites = [
  ['core', '../packages/core/bench/index.mjs'],
  ['emulator', '../packages/emulator/bench/index.mjs'],
  ['chatops', '../packages/chatops/bench/index.mjs'],
  // Three bot processes on PostgreSQL + Redis (skipped, and said so, when either does not answer).
  ['replicas', './bench-replicas.mjs'],
  ['slack-bot', '../apps/slack-bot/bench/index.mjs'],
  ['dingtalk-bot', '../apps/dingtalk-bot/bench/index.mjs'],
];
const write = process.argv.includes('--write');
const only = process.argv.slice(2).filter((arg) => arg !== '--write');
// The machine is shared: how busy it was when the run began is part of the figures.
const load = loadavg()[0].toFixed(2);

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
  `- load average (1 min) when the run began: ${load}`,
  '',
];
/** A section as Markdown lines; a partial run's says when and how it was measured. */
function sectionLines(section, partial) {
  const out = [`## ${section.title}`, ''];
  if (partial) {
    out.push(
      `_Measured on its own (\`node scripts/bench.mjs ${only.join(' ')} --write\`) on ${new Date().toISOString()}, ${machine}, Node.js ${process.version}, load average ${load} when it began._`,
      '',
    );
  }
  if (section.rows.length > 0) {
    out.push('| metric | value | anchor | ratio | target | met |', '|---|---|---|---|---|---|');
    for (const [metric, value, anchor, ratio, target, met] of section.rows) {
      out.push(
        `| ${metric} | ${value} | ${anchor} | ${ratio} | ${target} | ${met === undefined ? '—' : met ? 'yes' : '**no**'} |`,
      );
    }
  }
  if (section.notes) out.push(...(section.rows.length > 0 ? [''] : []), section.notes);
  out.push('');
  return out;
}
for (const section of sections) lines.push(...sectionLines(section, false));
const target = new URL('../BENCHMARKS.md', import.meta.url);
if (only.length === 0) writeFileSync(target, `${lines.join('\n')}\n`);
else if (write) {
  // Each section runs from its heading to the next; those measured now replace theirs, new ones go last.
  const text = readFileSync(target, 'utf8');
  const parts = text.split(/^(?=## )/m);
  for (const section of sections) {
    const fresh = sectionLines(section, true).join('\n');
    const index = parts.findIndex((part) => part.startsWith(`## ${section.title}\n`));
    if (index >= 0) parts[index] = `${fresh}\n`;
    else parts.push(`${fresh}\n`);
  }
  writeFileSync(target, `${parts.join('').replace(/\n+$/, '')}\n`);
  process.stdout.write(`bench: ${sections.map((s) => s.title).join(', ')} written to BENCHMARKS.md\n`);
} else
  process.stdout.write('bench: partial run, BENCHMARKS.md left as it was (--write replaces its sections)\n');
