import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What each package would publish (issue 12, "Installable"): the files `pnpm pack` takes, the fields
 * npm and a user rely on, and a changesets configuration that agrees with which packages are private.
 * Fast; the slow install of the real tarballs is pack.test.ts.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REPOSITORY = 'git+https://github.com/axnbot/axnbot.git';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  engines?: { node?: string };
  files?: string[];
  sideEffects?: boolean;
  bin?: Record<string, string>;
  main?: string;
  publishConfig?: { access?: string; provenance?: boolean };
  dependencies?: Record<string, string>;
}

const packages = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(ROOT, group)).map((entry) => {
    const dir = `${group}/${entry}`;
    return { dir, manifest: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest };
  }),
);
const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** The paths `pnpm pack` would put in the tarball (the same rules `pnpm publish` uses). */
function packedFiles(dir: string): string[] {
  // npm applies the same `files` rules; asking npx for pnpm per package timed out under `npx -p node@24`.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: join(ROOT, dir),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const [json] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ files: { path: string }[] }>;
  return (json?.files ?? []).map((file) => file.path).sort();
}

describe('every package.json', () => {
  it.each(packages)('$dir: license, repository, engines, files', ({ dir, manifest }) => {
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository).toEqual({ type: 'git', url: REPOSITORY, directory: dir });
    // require(esm) without a flag: Node 20.19 and later.
    expect(manifest.engines?.node).toBe('>=20.19');
    expect(manifest.files?.length).toBeGreaterThan(0);
  });

  it('the root: MIT, the same repository, engines >=20.19, and a LICENSE', () => {
    expect(root.license).toBe('MIT');
    expect(root.repository?.url).toBe(REPOSITORY);
    expect(root.engines?.node).toBe('>=20.19');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('the README asks for the Node version the packages need', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('Node.js ≥ 20.19');
    expect(readme).not.toMatch(/20\.18/);
  });
});

describe('what is published', () => {
  const published = packages.filter(({ manifest }) => !manifest.private);

  it.each(published)(
    '$dir: public, with provenance, its LICENSE, no side effects unless a bin',
    ({ dir, manifest }) => {
      expect(manifest.publishConfig).toEqual({ access: 'public', provenance: true });
      expect(readFileSync(join(ROOT, dir, 'LICENSE'), 'utf8')).toBe(
        readFileSync(join(ROOT, 'LICENSE'), 'utf8'),
      );
      // Libraries do nothing on import, so bundlers may drop what is unused; the CLI is a program.
      if (manifest.bin) expect(manifest.sideEffects).toBeUndefined();
      else expect(manifest.sideEffects).toBe(false);
      // What a published package needs at run time is published too (or comes from the registry).
      for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
        if (!range.startsWith('workspace:')) continue;
        const dependency = packages.find((pkg) => pkg.manifest.name === name);
        expect(dependency?.manifest.private, `${manifest.name} depends on ${name}`).not.toBe(true);
      }
    },
  );

  it.each(packages)(
    '$dir: the tarball holds the build, README, LICENSE and package.json — no sources, tests, logs or maps',
    ({ dir, manifest }) => {
      const files = packedFiles(dir);
      expect(files).toContain('package.json');
      expect(files).toContain('README.md');
      if (!manifest.private) expect(files).toContain('LICENSE');
      const entry = (manifest.bin ? Object.values(manifest.bin)[0] : manifest.main) ?? './dist/bin.js';
      if (existsSync(join(ROOT, dir, 'dist'))) expect(files).toContain(entry.replace(/^\.\//, ''));
      const strays = files.filter(
        (file) =>
          /^(src|test|bench|node_modules|\.turbo)\//.test(file) ||
          file.endsWith('.map') ||
          file.endsWith('.tsbuildinfo') ||
          file.endsWith('.log') ||
          /^(tsconfig.*|vitest.*)\.(json|ts)$/.test(file),
      );
      expect(strays).toEqual([]);
    },
    60_000,
  );
});

describe('changesets', () => {
  const config = JSON.parse(readFileSync(join(ROOT, '.changeset/config.json'), 'utf8')) as {
    ignore: string[];
    access: string;
    privatePackages?: { version: boolean; tag: boolean };
  };
  const names = new Set(packages.map(({ manifest }) => manifest.name));
  const privateNames = new Set(
    packages.filter(({ manifest }) => manifest.private).map(({ manifest }) => manifest.name),
  );

  it('private packages are neither versioned nor tagged, and nothing published is ignored', () => {
    expect(config.privatePackages).toEqual({ version: false, tag: false });
    expect(config.access).toBe('public');
    for (const name of config.ignore) {
      expect(names.has(name), `${name} in ignore`).toBe(true);
      expect(privateNames.has(name), `${name} is published but ignored`).toBe(true);
    }
  });

  it('each changeset names only published packages', () => {
    const dir = join(ROOT, '.changeset');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.md') && name !== 'README.md')) {
      const text = readFileSync(join(dir, file), 'utf8');
      const front = /^---\n([\s\S]*?)\n---\n/.exec(text);
      expect(front, `${file} starts with its frontmatter`).not.toBeNull();
      for (const line of front![1]!.split('\n')) {
        const match = /^"([^"]+)": (major|minor|patch)$/.exec(line);
        expect(match, `${file}: ${line}`).not.toBeNull();
        expect(names.has(match![1]!), `${file} names ${match![1]}`).toBe(true);
        expect(privateNames.has(match![1]!), `${file} names the private ${match![1]}`).toBe(false);
      }
    }
  });
});
