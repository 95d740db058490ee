/**
 * The AWS CLI's shorthand syntax (awscli/shorthand.py): `Key=a,Value=b`, csv lists `k=a,b`,
 * explicit lists `k=[a,b]`, hash literals `k={a=b}`, quoted values and `\,` escapes.
 */

export type ShorthandValue = string | ShorthandValue[] | { [key: string]: ShorthandValue };

export class ShorthandParseError extends Error {}

const KEY_CHARS = /[A-Za-z0-9\-_.#/:]/;
// The character classes of awscli's _FIRST_VALUE and _SECOND_VALUE regexes.
const START_WORD = /[!#-&(-+\--<>-Z\\-z|-\uffff]/;
const FIRST_FOLLOW = /[\s!#-&(-+\--\\^-|~-\uffff]/;
const SECOND_FOLLOW = /[\s!#-&(-+\--<>-\uffff]/;

export function parseShorthand(input: string): Record<string, ShorthandValue> {
  let i = 0;
  const eof = () => i >= input.length;
  const cur = () => input[i] ?? '';
  const ws = () => {
    while (!eof() && /\s/.test(cur())) i++;
  };
  const fail = (expected: string): never => {
    const actual = eof() ? 'EOF' : cur();
    throw new ShorthandParseError(
      `Expected: '${expected}', received: '${actual}' for input:\n${input}\n${' '.repeat(i)}^`,
    );
  };
  const expect = (c: string, consumeWs = false) => {
    if (consumeWs) ws();
    if (cur() !== c || eof()) fail(c);
    i++;
    if (consumeWs) ws();
  };
  const key = () => {
    const start = i;
    while (!eof() && KEY_CHARS.test(cur())) i++;
    return input.slice(start, i);
  };
  const quoted = (q: string): string => {
    let j = i + 1;
    let out = '';
    while (j < input.length && input[j] !== q) {
      if (input[j] === '\\' && (input[j + 1] === q || input[j + 1] === '\\')) {
        out += input[j + 1];
        j += 2;
      } else out += input[j++];
    }
    if (j >= input.length) {
      i = j;
      fail(q);
    }
    i = j + 1;
    return out;
  };
  const word = (follow: RegExp): string | undefined => {
    let out = '';
    const start = i;
    const step = (first: boolean): boolean => {
      if (cur() === '\\' && input[i + 1] === ',') {
        out += ',';
        i += 2;
        return true;
      }
      if (!eof() && (first ? START_WORD : follow).test(cur())) {
        out += cur();
        i++;
        return true;
      }
      return false;
    };
    if (!step(true)) {
      i = start;
      return undefined;
    }
    while (step(false));
    return out.replace(/\s+$/, '');
  };
  const firstValue = (): string => {
    if (cur() === "'" || cur() === '"') return quoted(cur());
    return word(FIRST_FOLLOW) ?? '';
  };
  const secondValue = (): string | undefined => {
    if (cur() === "'" || cur() === '"') return quoted(cur());
    const v = word(SECOND_FOLLOW);
    if (v === undefined) fail('second');
    return v;
  };
  const explicitValues = (): ShorthandValue =>
    cur() === '[' ? explicitList() : cur() === '{' ? hashLiteral() : firstValue();
  const explicitList = (): ShorthandValue[] => {
    expect('[', true);
    const values: ShorthandValue[] = [];
    while (cur() !== ']') {
      if (eof()) fail(']');
      values.push(explicitValues());
      ws();
      if (cur() !== ']') {
        expect(',');
        ws();
      }
    }
    expect(']');
    return values;
  };
  const hashLiteral = (): Record<string, ShorthandValue> => {
    expect('{', true);
    const out: Record<string, ShorthandValue> = {};
    while (cur() !== '}') {
      if (eof()) fail('}');
      const k = key();
      expect('=', true);
      out[k] = explicitValues();
      ws();
      if (cur() !== '}') {
        expect(',');
        ws();
      }
    }
    expect('}');
    return out;
  };
  const csvValue = (): ShorthandValue => {
    const first = firstValue();
    ws();
    if (eof() || cur() !== ',') return first;
    const beforeComma = i;
    expect(',', true);
    const list: string[] = [first];
    let lastComma = beforeComma;
    for (;;) {
      const save = i;
      try {
        const v = secondValue();
        ws();
        if (v === undefined) break;
        if (!eof() && cur() !== ',') fail(',');
        list.push(v);
        if (eof()) break;
        lastComma = i;
        expect(',', true);
      } catch (e) {
        if (eof() && i === save) throw e;
        i = lastComma;
        break;
      }
    }
    if (list.length === 1) i = beforeComma;
    return list.length === 1 ? first : list;
  };
  const values = (): ShorthandValue => {
    if (eof()) return '';
    if (cur() === '[') return explicitList();
    if (cur() === '{') return hashLiteral();
    return csvValue();
  };
  const keyval = (): [string, ShorthandValue] => {
    const k = key();
    expect('=', true);
    return [k, values()];
  };

  const params: Record<string, ShorthandValue> = {};
  const [k, v] = keyval();
  params[k] = v;
  while (!eof()) {
    expect(',', true);
    const [k2, v2] = keyval();
    params[k2] = v2;
  }
  return params;
}
