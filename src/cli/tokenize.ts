/**
 * The command line's lexer: POSIX-shell quoting (single and double quotes, backslash escapes),
 * line continuations (`\` at the end of a line), `$VAR` / `${VAR}` / `$(command)` expansions and
 * the few operators the lab's shell runs (`|`, `>`, `>>`, `<`, `;`, `&&`, `||`, newline).
 */

export type WordPart =
  | { readonly kind: 'text'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'var'; readonly name: string; readonly quoted: boolean }
  | { readonly kind: 'sub'; readonly source: string; readonly quoted: boolean };

export interface Word {
  readonly parts: readonly WordPart[];
  /** Offsets of the word in the line (end exclusive). */
  readonly start: number;
  readonly end: number;
}

export type Operator = '|' | '>' | '>>' | '<' | ';' | '&&' | '||' | '\n' | '2>' | '2>>' | '2>&1';

export type ShellToken =
  | { readonly type: 'word'; readonly word: Word }
  | { readonly type: 'op'; readonly op: Operator; readonly start: number; readonly end: number };

export class ShellSyntaxError extends Error {}

export interface LexResult {
  readonly tokens: ShellToken[];
  /** Set in lenient mode when the line ends inside quotes (completion of a partial line). */
  readonly openQuote?: "'" | '"';
}

const isNameStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
const isNameChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** Splits a command line into words and operators. Throws ShellSyntaxError unless `lenient`. */
export function lex(line: string, lenient = false): LexResult {
  const tokens: ShellToken[] = [];
  let parts: WordPart[] = [];
  let text = '';
  let textQuoted = false;
  let inWord = false;
  let wordStart = 0;
  let i = 0;

  const flushText = () => {
    if (text) parts.push({ kind: 'text', text, quoted: textQuoted });
    text = '';
  };
  const addText = (s: string, quoted: boolean) => {
    if (text && textQuoted !== quoted) flushText();
    textQuoted = quoted;
    text += s;
  };
  const begin = () => {
    if (!inWord) {
      inWord = true;
      wordStart = i;
    }
  };
  const endWord = () => {
    if (!inWord) return;
    flushText();
    if (parts.length === 0) parts.push({ kind: 'text', text: '', quoted: true });
    tokens.push({ type: 'word', word: { parts, start: wordStart, end: i } });
    parts = [];
    inWord = false;
  };
  /** Reads `$…` at i (line[i] === '$'); returns false for a lone `$`. */
  const dollar = (quoted: boolean): boolean => {
    const next = line[i + 1];
    if (next === '(') {
      let depth = 1;
      let j = i + 2;
      let q: string | undefined;
      for (; j < line.length && depth > 0; j++) {
        const c = line[j]!;
        if (q) {
          if (c === '\\' && q === '"') j++;
          else if (c === q) q = undefined;
        } else if (c === "'" || c === '"') q = c;
        else if (c === '\\') j++;
        else if (c === '(') depth++;
        else if (c === ')') depth--;
      }
      if (depth > 0) {
        if (!lenient) throw new ShellSyntaxError("unexpected EOF while looking for matching `)'");
        flushText();
        parts.push({ kind: 'sub', source: line.slice(i + 2), quoted });
        i = line.length;
        return true;
      }
      flushText();
      parts.push({ kind: 'sub', source: line.slice(i + 2, j - 1), quoted });
      i = j;
      return true;
    }
    if (next === '{') {
      const close = line.indexOf('}', i + 2);
      if (close < 0) {
        if (!lenient) throw new ShellSyntaxError('bad substitution');
        i = line.length;
        return true;
      }
      flushText();
      parts.push({ kind: 'var', name: line.slice(i + 2, close), quoted });
      i = close + 1;
      return true;
    }
    if (isNameStart(next) || next === '?') {
      let j = i + 1;
      if (next === '?') j++;
      else while (isNameChar(line[j])) j++;
      flushText();
      parts.push({ kind: 'var', name: line.slice(i + 1, j), quoted });
      i = j;
      return true;
    }
    return false;
  };

  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\') {
      const n = line[i + 1];
      if (n === '\n') {
        i += 2;
        continue;
      }
      if (n === '\r' && line[i + 2] === '\n') {
        i += 3;
        continue;
      }
      begin();
      if (n === undefined) {
        i++;
        continue;
      }
      addText(n, true);
      i += 2;
      continue;
    }
    if (c === "'") {
      begin();
      const close = line.indexOf("'", i + 1);
      if (close < 0) {
        if (!lenient) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
        addText(line.slice(i + 1), true);
        i = line.length;
        endWord();
        return { tokens, openQuote: "'" };
      }
      addText(line.slice(i + 1, close), true);
      if (close === i + 1) {
        flushText();
        parts.push({ kind: 'text', text: '', quoted: true });
      }
      i = close + 1;
      continue;
    }
    if (c === '"') {
      begin();
      let j = i + 1;
      let empty = true;
      for (;;) {
        if (j >= line.length) {
          if (!lenient) throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'');
          i = j;
          endWord();
          return { tokens, openQuote: '"' };
        }
        const d = line[j]!;
        if (d === '"') break;
        if (d === '\\' && j + 1 < line.length) {
          const n = line[j + 1]!;
          if (n === '\n') j += 2;
          else if ('$`"\\'.includes(n)) {
            addText(n, true);
            j += 2;
          } else {
            addText('\\', true);
            j++;
          }
          empty = false;
          continue;
        }
        if (d === '$') {
          i = j;
          if (dollar(true)) {
            j = i;
            empty = false;
            continue;
          }
        }
        addText(d, true);
        empty = false;
        j++;
      }
      if (empty) {
        flushText();
        parts.push({ kind: 'text', text: '', quoted: true });
      }
      i = j + 1;
      continue;
    }
    if (c === '$') {
      begin();
      if (dollar(false)) continue;
      addText('$', false);
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      while (i < line.length && line[i] !== '\n') i++;
      continue;
    }
    if (!inWord && (c === '1' || c === '2') && line[i + 1] === '>') {
      const fd = c === '2' ? '2' : '';
      const rest = line.slice(i + 1);
      const op: Operator = (
        fd && rest.startsWith('>&1') ? '2>&1' : rest.startsWith('>>') ? `${fd}>>` : `${fd}>`
      ) as Operator;
      const len = op === '2>&1' ? 4 : 1 + (rest.startsWith('>>') ? 2 : 1);
      tokens.push({ type: 'op', op, start: i, end: i + len });
      i += len;
      continue;
    }
    const two = line.slice(i, i + 2);
    const op: Operator | undefined =
      two === '&&' || two === '||' || two === '>>'
        ? two
        : c === '|' || c === '>' || c === '<' || c === ';' || c === '\n'
          ? c
          : undefined;
    if (op) {
      endWord();
      tokens.push({ type: 'op', op, start: i, end: i + op.length });
      i += op.length;
      continue;
    }
    begin();
    addText(c, false);
    i++;
  }
  endWord();
  return { tokens };
}

/** The literal text of a word, expansions written back as `$NAME` / `$(…)`. */
export const wordText = (w: Word): string =>
  w.parts
    .map((p) => (p.kind === 'text' ? p.text : p.kind === 'var' ? `$${p.name}` : `$(${p.source})`))
    .join('');

/**
 * Splits one command line into its words, applying quotes, escapes and line continuations
 * (operators become words of their own; expansions are left as written).
 */
export const tokenize = (line: string): string[] =>
  lex(line).tokens.map((t) => (t.type === 'word' ? wordText(t.word) : t.op));
