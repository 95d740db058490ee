/** From a line of the emitted JavaScript back to the script's TypeScript line, with the emit's source map. */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    if (digit < 0) break;
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/**
 * For each generated line (1-based index), the original line (1-based) its first mapped segment
 * points at; undefined where the line has no mapping.
 */
export function lineTable(mappings: string): (number | undefined)[] {
  const table: (number | undefined)[] = [undefined];
  let origLine = 0;
  for (const line of mappings.split(';')) {
    let first: number | undefined;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const f = decodeVlq(seg);
      if (f.length >= 4) {
        origLine += f[2]!;
        first ??= origLine + 1;
      }
    }
    table.push(first);
  }
  return table;
}

/** The original line for generated line `jsLine`, looking upwards when the line itself has no mapping. */
export function originalLine(table: readonly (number | undefined)[], jsLine: number): number | undefined {
  for (let l = Math.min(jsLine, table.length - 1); l >= 1; l--) if (table[l] !== undefined) return table[l];
  return undefined;
}
