/** Full-width and typographic characters people's keyboards produce, mapped to what the grammar reads. */
const REPLACEMENTS: Record<string, string> = {
  '＝': '=',
  '，': ',',
  '、': ',',
  '：': ':',
  '＃': '#',
  '／': '/',
  '＋': '+',
  '（': '(',
  '）': ')',
  '“': '"',
  '”': '"',
  '„': '"',
  '「': '"',
  '」': '"',
  '『': '"',
  '』': '"',
  '‘': "'",
  '’': "'",
  '—': '-',
  '–': '-',
  '－': '-',
  '\u3000': ' ',
};

/**
 * Normalises chat text: full-width punctuation and digits to ASCII, smart quotes to straight ones,
 * dashes to `-`, and control characters to spaces (so they can never reach a message or a log).
 */
export function normalizeText(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (Object.hasOwn(REPLACEMENTS, char)) out += REPLACEMENTS[char];
    else if (code >= 0xff10 && code <= 0xff19) out += String.fromCharCode(code - 0xff10 + 0x30);
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0x2028 || code === 0x2029) out += ' ';
    else out += char;
  }
  return out;
}

/** One word of a command; `quoted` tells that quotes kept its spaces. */
export interface Token {
  readonly text: string;
  readonly quoted: boolean;
}

/**
 * Tokenizing either works or names the unclosed quote: `at` is the text from that quote to the end (whole;
 * whoever shows it shortens it, saying so), `offset` where the quote is, so the words before it can be read.
 */
export type TokenizeResult =
  | { ok: true; tokens: Token[] }
  | { ok: false; unclosedQuote: string; at: string; offset: number };

/**
 * Splits normalised text on whitespace and commas, keeping quoted parts (`out="order 42"`) whole.
 * Quotes may open mid-token; the quote characters themselves are dropped.
 */
export function tokenize(text: string): TokenizeResult {
  const tokens: Token[] = [];
  let current = '';
  let started = false;
  let quoted = false;
  let quote: string | undefined;
  let quoteStart = 0;
  const flush = () => {
    if (started) tokens.push({ text: current, quoted });
    current = '';
    started = false;
    quoted = false;
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      quoteStart = index;
      started = true;
      quoted = true;
    } else if (/\s/.test(char) || char === ',') {
      flush();
    } else {
      current += char;
      started = true;
    }
  }
  if (quote) return { ok: false, unclosedQuote: quote, at: text.slice(quoteStart), offset: quoteStart };
  flush();
  return { ok: true, tokens };
}
