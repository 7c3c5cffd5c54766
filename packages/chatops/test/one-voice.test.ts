import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * One voice: every sentence, label and status word a user sees comes from the phrase catalogue
 * (`src/phrases.ts`). This scan reads the front ends (`apps/*\/src`) and the parts of chatops that used to
 * write their own words (the text renderer, usage, the service), and fails on any string literal that
 * holds Chinese, or an English sentence (three or more words in a row).
 *
 * Text that is not said to a chat user is recognised by where it stands, not listed line by line:
 * - module paths (imports and exports);
 * - what is handed to a logger (`log(…)`, `logger.warn(…)`, …), `console` or stderr: the operator's log;
 * - what is written to the audit trail (`audit(…)`, `event(…)`): records for operators, in English;
 * - what is thrown, or given to an `…Error`/`…Failure` constructor: errors for operators and developers
 *   (a chat user sees an error through core's taxonomy, in both languages);
 * - the messages of zod schemas: environment validation at start-up, one line for the operator;
 * - Prometheus `# HELP` lines: metrics for the operator;
 * - `axn`'s own usage (`*_USAGE` in apps/cli): the CLI is English by design.
 * What is left is in {@link ALLOWED}, each with its reason. An entry that excuses nothing fails the test,
 * so the list cannot grow stale.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Whole files, or one function or constant of a file, whose English is not said to a chat user. */
const ALLOWED: ReadonlyArray<{ file: string; within?: string; why: string }> = [
  {
    file: 'apps/cli/src/commands/emulator.ts',
    why: "`axn emulator`'s banner and errors (its example pool holds Chinese city names)",
  },
  {
    file: 'apps/slack-bot/src/signature.ts',
    why: "why a request's signature is refused: logged, and never shown in Slack",
  },
  {
    file: 'apps/slack-bot/src/request-body.ts',
    why: 'why a request body is refused: logged and answered to Slack’s servers, not to a user',
  },
  {
    file: 'apps/slack-bot/src/http-receiver.ts',
    why: "answers Slack's servers over HTTP; why it refuses a request goes to the operator's log",
  },
  {
    file: 'apps/slack-bot/src/bot-identity.ts',
    why: "checks the bot token at start-up; what Slack answered goes to the operator's log",
  },
  { file: 'apps/slack-bot/src/main.ts', within: 'readyLine', why: 'the line printed at start-up' },
  {
    file: 'apps/dingtalk-bot/src/stream-client.ts',
    why: 'what the connection waits for: the operator’s log',
  },
  { file: 'apps/dingtalk-bot/src/main.ts', within: 'describe', why: 'stream events as logged' },
];

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** Three or more words of letters in a row: a sentence, or most of one. */
const SENTENCE = /[A-Za-z]+(?: [A-Za-z]+){2,}/;
const LOG_METHODS = new Set(['log', 'debug', 'info', 'warn', 'error', 'trace', 'fatal']);
const AUDIT_METHODS = new Set(['audit', 'event']);

/** The files the scan reads, relative to the repository. */
function scannedFiles(): string[] {
  const files: string[] = [];
  for (const app of readdirSync(join(ROOT, 'apps'))) {
    const src = join(ROOT, 'apps', app, 'src');
    let entries: string[];
    try {
      entries = readdirSync(src, { recursive: true }) as string[];
    } catch {
      continue;
    }
    for (const entry of entries)
      if (/\.ts$/.test(entry) && !/\.test\.ts$/.test(entry)) files.push(join(src, entry));
  }
  const chatops = join(ROOT, 'packages', 'chatops', 'src');
  files.push(
    join(chatops, 'render-text.ts'),
    join(chatops, 'language', 'usage.ts'),
    join(chatops, 'binding-service.ts'),
    ...readdirSync(join(chatops, 'service')).map((name) => join(chatops, 'service', name)),
    // The lifecycle's notices and what sends them (its ledger's SQL and config's messages are not said).
    join(chatops, 'lifecycle', 'lifecycle-commands.ts'),
    join(chatops, 'lifecycle', 'lifecycle-notice.ts'),
    join(chatops, 'lifecycle', 'lifecycle-scheduler.ts'),
  );
  return files.map((file) => relative(ROOT, file).split('\\').join('/')).sort();
}

/** A literal the scan objects to. */
interface Finding {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** The innermost named function or constant it stands in. */
  readonly within: string[];
}

/** Why a node's text is not said to a chat user, if it is not. */
function excused(node: ts.Node, file: string): boolean {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    if (ts.isImportDeclaration(at) || ts.isExportDeclaration(at) || ts.isThrowStatement(at)) return true;
    if (ts.isCallExpression(at) && at.expression.kind === ts.SyntaxKind.ImportKeyword) return true;
    if (ts.isCallExpression(at) && ts.isIdentifier(at.expression) && LOG_METHODS.has(at.expression.text))
      return true;
    if (ts.isNewExpression(at) && /(?:Error|Failure|Refused)$/.test(at.expression.getText())) return true;
    if (ts.isCallExpression(at) && ts.isPropertyAccessExpression(at.expression)) {
      const method = at.expression.name.text;
      const target = at.expression.expression.getText();
      if (LOG_METHODS.has(method) || AUDIT_METHODS.has(method) || target === 'console') return true;
      if (method === 'write' && /(?:^|\.)(?:stderr|err)$/.test(target)) return true;
      // A zod schema chain (`z.string(…).regex(…, 'message')`): environment validation for the operator.
      if (rootOf(at.expression) === 'z') return true;
    }
    if (
      file.startsWith('apps/cli/') &&
      ts.isVariableDeclaration(at) &&
      ts.isIdentifier(at.name) &&
      /_USAGE$/.test(at.name.text)
    )
      return true;
  }
  return false;
}

/** The identifier a chain of calls and property accesses starts from (`z` in `z.string().min(1)`). */
function rootOf(node: ts.Expression): string | undefined {
  let at: ts.Expression = node;
  while (ts.isPropertyAccessExpression(at) || ts.isCallExpression(at)) at = at.expression;
  return ts.isIdentifier(at) ? at.text : undefined;
}

/** The names of the functions and constants a node stands in, innermost first. */
function enclosing(node: ts.Node): string[] {
  const names: string[] = [];
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    if ((ts.isFunctionDeclaration(at) || ts.isMethodDeclaration(at)) && at.name)
      names.push(at.name.getText());
    if ((ts.isVariableDeclaration(at) || ts.isPropertyAssignment(at)) && ts.isIdentifier(at.name))
      names.push(at.name.text);
  }
  return names;
}

/** The literals of a source that hold Chinese or an English sentence, unless excused by where they stand. */
export function findings(file: string, source: string): Finding[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: Finding[] = [];
  const report = (node: ts.Node, text: string) => {
    if (!CJK.test(text) && !SENTENCE.test(text)) return;
    if (/^# (?:HELP|TYPE) /.test(text) || excused(node, file)) return;
    const line = tree.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    found.push({ file, line, text, within: enclosing(node) });
  };
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) report(node, node.text);
    else if (ts.isTemplateExpression(node)) {
      // The fixed parts of a template, joined where values go: `${n} live binding(s)` reads as a phrase.
      report(node, [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join('x'));
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

describe('one voice: user-visible words only in the phrase catalogue', () => {
  it('the scan recognises Chinese, English sentences and operator text', () => {
    const sample = [
      "import { x } from './a long path of words.js';",
      "const a = 'Unbind this number?';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text holding a template literal
      'const b = `${n} live binding(s)`;',
      "const c = '已解绑';",
      "const d = 'mrkdwn';",
      "logger.warn('could not look up the city of an X number');",
      "throw new Error('the body is not valid JSON');",
      "const e = z.string().regex(/^x/, 'PORT must be a port number');",
      "const f = { reason: 'timestamp is not canonical' };",
    ].join('\n');
    expect(findings('apps/x/src/sample.ts', sample).map((finding) => finding.text)).toEqual([
      'Unbind this number?',
      'x live binding(s)',
      '已解绑',
      'timestamp is not canonical',
    ]);
  });

  it('finds no Chinese and no English sentence outside the catalogue', () => {
    const files = scannedFiles();
    expect(files).toContain('apps/slack-bot/src/blocks.ts');
    expect(files).toContain('apps/dingtalk-bot/src/markdown.ts');
    expect(files).toContain('packages/chatops/src/render-text.ts');
    const used = new Set<(typeof ALLOWED)[number]>();
    const unexcused: string[] = [];
    for (const file of files) {
      for (const finding of findings(file, readFileSync(join(ROOT, file), 'utf8'))) {
        const entry = ALLOWED.find(
          (allowed) =>
            allowed.file === file &&
            (allowed.within === undefined || finding.within.includes(allowed.within)),
        );
        if (entry) used.add(entry);
        else unexcused.push(`${file}:${finding.line} ${JSON.stringify(finding.text)}`);
      }
    }
    expect(unexcused).toEqual([]);
    expect(ALLOWED.filter((entry) => !used.has(entry))).toEqual([]);
  });
});
