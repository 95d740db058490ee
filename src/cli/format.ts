/**
 * The AWS CLI v2's output: responses become JSON documents (blobs base64, timestamps ISO 8601
 * like `datetime.isoformat()`), `--query` (JMESPath) applies, then the json, text, table or yaml
 * formatter prints them the way awscli/formatter.py, text.py and table.py do.
 */
import { toBase64 } from './bytes.ts';

export type OutputFormat = 'json' | 'text' | 'table' | 'yaml' | 'yaml-stream';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'text', 'table', 'yaml', 'yaml-stream'];

/** `2026-11-28T10:00:00.123000+00:00`; no fraction when it is zero, as Python prints it. */
export function isoTimestamp(d: Date): string {
  const s = d.toISOString(); // 2026-11-28T10:00:00.123Z
  const base = s.slice(0, 19);
  const ms = d.getUTCMilliseconds();
  return `${base}${ms ? `.${String(ms).padStart(3, '0')}000` : ''}+00:00`;
}

/** An SDK-shaped response as the CLI's JSON document. */
export function toDocument(value: unknown): unknown {
  if (value instanceof Uint8Array) return toBase64(value);
  if (value instanceof Date) return isoTimestamp(value);
  if (Array.isArray(value)) return value.map(toDocument);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toDocument(v);
    return out;
  }
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => !(typeof v === 'object' && v !== null);

/** Python's `str()` of a JSON value. */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Python's sort of str keys (code point order). */
const sorted = (keys: Iterable<string>) => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

// ---- json -----------------------------------------------------------------------------------

export const formatJson = (doc: unknown): string =>
  isObject(doc) && Object.keys(doc).length === 0 ? '' : `${JSON.stringify(doc, null, 4)}\n`;

// ---- text (awscli/text.py) --------------------------------------------------------------------

export function formatText(doc: unknown): string {
  const out: string[] = [];
  const write = (s: string) => out.push(s);
  const allScalarKeys = (list: Record<string, unknown>[]) => {
    const seen = new Set<string>();
    for (const d of list) for (const [k, v] of Object.entries(d)) if (isScalar(v)) seen.add(k);
    return sorted(seen);
  };
  const scalarList = (elements: unknown[], identifier?: string) => {
    if (identifier !== undefined)
      for (const e of elements) write(`${identifier.toUpperCase()}\t${pyStr(e)}\n`);
    else write(`${elements.map(pyStr).join('\t')}\n`);
  };
  const formatDict = (
    scalarKeys: string[] | undefined,
    item: Record<string, unknown>,
    identifier?: string,
  ) => {
    const scalars: string[] = [];
    const nonScalars: [string, unknown][] = [];
    if (scalarKeys === undefined) {
      for (const k of sorted(Object.keys(item))) {
        const v = item[k];
        if (isScalar(v)) scalars.push(pyStr(v));
        else nonScalars.push([k, v]);
      }
    } else {
      for (const k of scalarKeys) scalars.push(k in item ? pyStr(item[k]) : '');
      for (const k of sorted(Object.keys(item).filter((k) => !scalarKeys.includes(k))))
        nonScalars.push([k, item[k]]);
    }
    if (scalars.length) {
      if (identifier !== undefined) scalars.unshift(identifier.toUpperCase());
      write(`${scalars.join('\t')}\n`);
    }
    for (const [k, v] of nonScalars) format(v, k);
  };
  const formatList = (item: unknown[], identifier?: string) => {
    if (item.length === 0) return;
    if (item.some(isObject)) {
      const keys = allScalarKeys(item.filter(isObject));
      for (const e of item) format(e, identifier, keys);
    } else if (item.some(Array.isArray)) {
      const scalars = item.filter(isScalar);
      if (scalars.length) scalarList(scalars, identifier);
      for (const e of item.filter((e) => !isScalar(e))) format(e, identifier);
    } else scalarList(item, identifier);
  };
  function format(item: unknown, identifier?: string, scalarKeys?: string[]) {
    if (isObject(item)) formatDict(scalarKeys, item, identifier);
    else if (Array.isArray(item)) formatList(item, identifier);
    else write(`${pyStr(item)}\n`);
  }
  format(doc);
  return out.join('');
}

// ---- table (awscli/formatter.py TableFormatter, awscli/table.py MultiTable) --------------------

class Section {
  title = '';
  headers: string[] = [];
  rows: string[][] = [];
  indentLevel = 0;
  #maxWidths: number[] = [];

  addHeader(headers: string[]) {
    this.#update(headers);
    this.headers = headers;
  }

  addRow(row: unknown[]) {
    const cells = row.map(pyStr);
    this.rows.push(cells);
    this.#update(cells);
  }

  #update(row: string[]) {
    if (this.#maxWidths.length === 0) this.#maxWidths = row.map((c) => c.length);
    else row.forEach((c, i) => (this.#maxWidths[i] = Math.max(c.length, this.#maxWidths[i] ?? 0)));
  }

  columnWidths(padding = 0, maxWidth?: number): number[] {
    const unscaled = this.#maxWidths.map((w) => w + padding);
    if (maxWidth === undefined || unscaled.length === 0) return unscaled;
    const total = unscaled.reduce((a, b) => a + b, 0);
    const scale = maxWidth / total;
    // Python's round() rounds half to even.
    const scaled = unscaled.map((w) => pyRound(scale * w));
    let off = scaled.reduce((a, b) => a + b, 0) - maxWidth;
    while (off !== 0) {
      const order = [...scaled.keys()];
      if (off < 0) order.reverse();
      for (const i of order) {
        if (off > 0) {
          scaled[i]!--;
          off--;
        } else {
          scaled[i]!++;
          off++;
        }
        if (off === 0) break;
      }
    }
    return scaled;
  }

  totalWidth(padding: number, withBorder: boolean, outerPadding: number): number {
    let total = this.columnWidths().reduce((a, w) => a + w + padding, 0);
    if (withBorder) total += 2;
    total += 2 * outerPadding;
    return Math.max(this.title.length + 2 + 2 * outerPadding, total);
  }
}

const pyRound = (x: number) => {
  const f = Math.floor(x);
  const diff = x - f;
  if (Math.abs(diff - 0.5) < 1e-9) return f % 2 === 0 ? f : f + 1;
  return Math.round(x);
};

const centerText = (text: string, length: number, left = '|', right = '|') => {
  const start = Math.floor(length / 2) - Math.floor(text.length / 2) - 1;
  const soFar = left.length + start + text.length;
  return `${left}${' '.repeat(Math.max(0, start))}${text}${' '.repeat(Math.max(0, length - right.length - soFar))}${right}`;
};

const alignLeft = (text: string, length: number, left: string, right: string) => {
  const padding = length - (text.length + 2 + left.length + right.length) >= 0 ? 2 : 0;
  const soFar = left.length + padding + text.length;
  return `${left}${' '.repeat(padding)}${text}${' '.repeat(Math.max(0, length - soFar - right.length))}${right}`;
};

/** Single-row sections turn into header | value rows (table.py's convert_to_vertical_table). */
function toVertical(sections: Section[]): Section[] {
  return sections.map((s) => {
    if (s.rows.length !== 1 || !s.headers.length) return s;
    const v = new Section();
    v.title = s.title;
    v.indentLevel = s.indentLevel;
    s.headers.forEach((h, i) => v.addRow([h, s.rows[0]![i]]));
    return v;
  });
}

const widthOf = (sections: Section[]) =>
  Math.max(...sections.map((s) => s.totalWidth(4, true, s.indentLevel)));

function renderTable(all: Section[], columns: number): string {
  if (all.length === 0) return '';
  const out: string[] = [];
  let sections = all;
  let maxWidth = widthOf(sections);
  if (maxWidth > columns) {
    sections = toVertical(sections);
    maxWidth = widthOf(sections);
  }
  out.push(`${'-'.repeat(maxWidth)}\n`);
  for (const s of sections) {
    const indent = '|'.repeat(s.indentLevel);
    const write = (line: string) => out.push(`${indent}${line}${indent}\n`);
    const width = maxWidth - s.indentLevel * 2;
    const lineBreak = (widths: number[]) =>
      write(widths.map((w, i) => (i === 0 ? `+${'-'.repeat(w - 2)}+` : `${'-'.repeat(w - 1)}+`)).join(''));
    if (s.title) {
      write(centerText(s.title, width));
      if (!s.headers.length && !s.rows.length) write(`+${'-'.repeat(width - 2)}+`);
    }
    if (s.headers.length) {
      const widths = s.columnWidths(4, width);
      lineBreak(widths);
      write(s.headers.map((h, i) => centerText(h, widths[i]!, i === 0 ? '|' : '', '|')).join(''));
    }
    if (s.rows.length) {
      const widths = s.columnWidths(4, width);
      if (!widths.length) continue;
      lineBreak(widths);
      for (const row of s.rows)
        write(row.map((c, i) => alignLeft(c, widths[i]!, i === 0 ? '|' : '', '|')).join(''));
      lineBreak(widths);
    }
  }
  return out.join('');
}

export function formatTable(title: string, doc: unknown, columns = 80): string {
  const sections: Section[] = [];
  let current: Section | undefined;
  const newSection = (t: string, indentLevel: number) => {
    current = new Section();
    current.title = t;
    current.indentLevel = indentLevel;
    sections.push(current);
  };
  const section = () => {
    if (!current) newSection('', 0);
    return current!;
  };
  const groupScalarKeys = (d: Record<string, unknown>) => {
    const headers: string[] = [];
    const more: string[] = [];
    for (const k of Object.keys(d)) (isScalar(d[k]) ? headers : more).push(k);
    return { headers: sorted(headers), more: sorted(more) };
  };
  const fromDict = (d: Record<string, unknown>, indent: number) => {
    const { headers, more } = groupScalarKeys(d);
    if (headers.length === 1) section().addRow([headers[0], d[headers[0]!]]);
    else if (headers.length) {
      section().addHeader(headers);
      section().addRow(headers.map((h) => d[h]));
    }
    for (const k of more) build(k, d[k], indent + 1);
  };
  const fromList = (list: Record<string, unknown>[], indent: number, t: string | undefined) => {
    const hs = new Set<string>();
    const ms = new Set<string>();
    for (const item of list) {
      const g = groupScalarKeys(item);
      g.headers.forEach((h) => hs.add(h));
      g.more.forEach((m) => ms.add(m));
    }
    const headers = sorted(hs);
    const more = sorted(ms);
    section().addHeader(headers);
    let first = true;
    for (const el of list) {
      if (!first && more.length) {
        newSection(t ?? '', indent);
        section().addHeader(headers);
      }
      first = false;
      section().addRow(headers.map((h) => (h in el ? el[h] : '')));
      for (const k of more) if (k in el) build(k, el[k], indent + 1);
    }
  };
  function build(t: string | undefined, value: unknown, indent = 0): boolean {
    if (
      !value ||
      (Array.isArray(value) && value.length === 0) ||
      (isObject(value) && !Object.keys(value).length)
    )
      return false;
    if (t !== undefined) newSection(t, indent);
    if (Array.isArray(value)) {
      if (isObject(value[0])) fromList(value.filter(isObject), indent, t);
      else
        for (const item of value) {
          if (isScalar(item)) section().addRow([item]);
          else if (Array.isArray(item) && item.every(isScalar)) section().addRow(item);
          else build(undefined, item);
        }
    } else if (isObject(value)) fromDict(value, indent);
    else section().addRow([value]);
    return true;
  }
  return build(title, doc) ? renderTable(sections, columns) : '';
}

// ---- yaml -----------------------------------------------------------------------------------

const yamlScalar = (v: unknown): string => {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  const s = String(v);
  if (
    s === '' ||
    /^[\s\-?:,[\]{}#&*!|>'"%@`]|[:#]\s|\s$|^(true|false|null|yes|no|on|off|~)$/i.test(s) ||
    /^[-+]?(\d[\d_]*)?\.?\d+([eE][-+]?\d+)?$/.test(s) ||
    /^\d{4}-\d\d?-\d\d?([Tt ]|$)/.test(s) ||
    /\n/.test(s)
  )
    return `'${s.replace(/'/g, "''")}'`;
  return s;
};

export function formatYaml(doc: unknown): string {
  const lines: string[] = [];
  const emit = (v: unknown, indent: string) => {
    if (Array.isArray(v)) {
      for (const item of v) {
        if (isObject(item) && Object.keys(item).length) {
          const [first, ...rest] = Object.entries(item);
          const inner = `${indent}  `;
          field(first![0], first![1], inner, `${indent}- `);
          for (const [k, x] of rest) field(k, x, inner, inner);
        } else if (Array.isArray(item) && item.length) {
          lines.push(`${indent}-`);
          emit(item, `${indent}  `);
        } else
          lines.push(`${indent}- ${isObject(item) ? '{}' : Array.isArray(item) ? '[]' : yamlScalar(item)}`);
      }
    } else if (isObject(v)) for (const [k, x] of Object.entries(v)) field(k, x, indent, indent);
    else lines.push(`${indent}${yamlScalar(v)}`);
  };
  const field = (k: string, v: unknown, indent: string, lead: string) => {
    if (Array.isArray(v) && v.length) {
      lines.push(`${lead}${k}:`);
      emit(v, indent);
    } else if (isObject(v) && Object.keys(v).length) {
      lines.push(`${lead}${k}:`);
      emit(v, `${indent}  `);
    } else lines.push(`${lead}${k}: ${isObject(v) ? '{}' : Array.isArray(v) ? '[]' : yamlScalar(v)}`);
  };
  if (isObject(doc) && !Object.keys(doc).length) return '';
  emit(doc, '');
  return `${lines.join('\n')}\n`;
}

export function formatOutput(format: OutputFormat, operation: string, doc: unknown, columns = 80): string {
  switch (format) {
    case 'json':
      return formatJson(doc);
    case 'text':
      return formatText(doc);
    case 'table':
      return formatTable(operation, doc, columns);
    case 'yaml':
    case 'yaml-stream':
      return formatYaml(doc);
  }
}
