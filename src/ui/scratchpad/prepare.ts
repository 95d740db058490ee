/**
 * Turns the emitted ES module into a body the runner can call as an async function: `import`
 * declarations become `require(…)` (which only knows `@aws-sdk/client-kms`) and `export` keywords
 * go. Every replacement keeps the line count, so source-map lines still match.
 */

const keepLines = (match: string, replacement: string) =>
  replacement + '\n'.repeat((match.match(/\n/g) ?? []).length);

const bindings = (names: string) =>
  names
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((n) => n.replace(/^type\s+/, ''))
    .map((n) => n.replace(/\s+as\s+/, ': '))
    .join(', ');

export function toScriptBody(js: string): string {
  return (
    js
      // import D, { a, b as c } from 'm';
      .replace(
        /^([ \t]*)import\s+([A-Za-z_$][\w$]*)\s*,\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\4;?/gm,
        (m, ind: string, d: string, names: string, _q: string, mod: string) =>
          keepLines(
            m,
            `${ind}const { default: ${d} = require(${JSON.stringify(mod)}), ${bindings(names)} } = require(${JSON.stringify(mod)});`,
          ),
      )
      // import { a, b as c } from 'm';
      .replace(
        /^([ \t]*)import\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\3;?/gm,
        (m, ind: string, names: string, _q: string, mod: string) =>
          keepLines(m, `${ind}const { ${bindings(names)} } = require(${JSON.stringify(mod)});`),
      )
      // import * as ns from 'm';
      .replace(
        /^([ \t]*)import\s*\*\s*as\s+([A-Za-z_$][\w$]*)\s*from\s*(['"])([^'"]+)\3;?/gm,
        (m, ind: string, ns: string, _q: string, mod: string) =>
          keepLines(m, `${ind}const ${ns} = require(${JSON.stringify(mod)});`),
      )
      // import D from 'm';
      .replace(
        /^([ \t]*)import\s+([A-Za-z_$][\w$]*)\s+from\s*(['"])([^'"]+)\3;?/gm,
        (m, ind: string, d: string, _q: string, mod: string) =>
          keepLines(
            m,
            `${ind}const ${d} = require(${JSON.stringify(mod)}).default ?? require(${JSON.stringify(mod)});`,
          ),
      )
      // import 'm';
      .replace(/^([ \t]*)import\s*(['"])([^'"]+)\2;?/gm, (m, ind: string, _q: string, mod: string) =>
        keepLines(m, `${ind}require(${JSON.stringify(mod)});`),
      )
      .replace(/^[ \t]*export\s*\{\s*\};?[ \t]*$/gm, '')
      .replace(/^([ \t]*)export\s+(default\s+)?(?=(async\s+)?(const|let|var|function|class)\b)/gm, '$1')
      .replace(/^\/\/# sourceMappingURL=.*$/gm, '')
  );
}
