import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `.env.example` lists every environment variable the code reads (issue 12): the sources of every
 * package and app, and the container's entry point and health check, are scanned for the names axnbot
 * uses (AXN_*, SLACK_*, DINGTALK_*, ALIBABA_CLOUD_*, PORT) and for any `env.NAME` / `env['NAME']`
 * read; each must have its entry, with a comment saying what it means and its default.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Names that look like variables but are not: each with where it comes from, and still found there. */
const NOT_VARIABLES: Record<string, string> = {
  AXN_EXTENSION_REUSE: 'a dyplsapi ProductType value (core/src/operations/fields.ts)',
};

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs|sh)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) files.push(path);
  }
  return files;
}

const sources = [
  ...['packages', 'apps'].flatMap((group) =>
    readdirSync(join(ROOT, group)).flatMap((name) => {
      try {
        return sourceFiles(join(ROOT, group, name, 'src'));
      } catch {
        return [];
      }
    }),
  ),
  ...sourceFiles(join(ROOT, 'docker')),
];

/** Every variable name each source mentions, with the first file that does. */
function variablesRead(): Map<string, string> {
  const found = new Map<string, string>();
  const note = (name: string, file: string) => {
    if (!found.has(name)) found.set(name, relative(ROOT, file));
  };
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\b(?:AXN|SLACK|DINGTALK|ALIBABA_CLOUD)_[A-Z0-9_]*[A-Z][A-Z0-9_]*\b/g))
      note(match[0], file);
    if (/\bPORT\b/.test(text)) note('PORT', file);
    for (const match of text.matchAll(/\benv(?:\.|\[\s*['"`])([A-Z][A-Z0-9_]*)\b/g)) note(match[1]!, file);
    for (const match of text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g))
      if (file.endsWith('.sh')) note(match[1]!, file);
  }
  return found;
}

/** The entries of .env.example: each name with the comment block above it (a run of entries shares one). */
function envExample(): Map<string, string> {
  const entries = new Map<string, string>();
  let comment: string[] = [];
  let afterEntry = false;
  for (const line of readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n')) {
    const entry = /^(?:# )?([A-Z][A-Z0-9_]*)=/.exec(line);
    if (entry) {
      entries.set(entry[1]!, comment.join(' '));
      afterEntry = true;
    } else if (line.startsWith('#')) {
      if (afterEntry) comment = [];
      comment.push(line.replace(/^#\s?/, ''));
      afterEntry = false;
    } else {
      comment = [];
      afterEntry = false;
    }
  }
  return entries;
}

describe('.env.example', () => {
  const read = variablesRead();
  const listed = envExample();

  it('scans the sources it means to', () => {
    expect(sources.length).toBeGreaterThan(50);
    // The names every deployment sets are found: the scan itself works.
    for (const name of ['AXN_HASH_KEY', 'AXN_DATABASE_URL', 'SLACK_BOT_TOKEN', 'DINGTALK_CLIENT_ID', 'PORT'])
      expect(read.has(name), name).toBe(true);
  });

  it('lists every variable the code reads', () => {
    const missing = [...read]
      .filter(([name]) => !listed.has(name) && !(name in NOT_VARIABLES))
      .map(([name, file]) => `${name} (read in ${file})`);
    expect(missing, 'add each to .env.example with its meaning and default').toEqual([]);
  });

  it('says what each one means and what it defaults to (or that it is required)', () => {
    for (const [name, comment] of listed) {
      expect(comment.length, `${name} has a comment above it`).toBeGreaterThan(10);
      expect(comment, `${name}: its default, or "Required"`).toMatch(/default|required/i);
    }
  });

  it('holds no value for a secret', () => {
    const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
    for (const name of [
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'AXN_HASH_KEY',
      'SLACK_BOT_TOKEN',
      'SLACK_APP_TOKEN',
      'SLACK_SIGNING_SECRET',
      'DINGTALK_CLIENT_SECRET',
    ])
      expect(text, name).toMatch(new RegExp(`^${name}=$`, 'm'));
  });

  it('its exceptions are still where they say', () => {
    for (const name of Object.keys(NOT_VARIABLES)) expect(read.has(name), name).toBe(true);
  });
});
