/**
 * The lab's small shell around `aws`: pipelines (`|`), redirections into the virtual file system
 * (`>`, `>>`, `<`, `2>`, `2>&1`), sequences (`;`, newline, `&&`, `||`), variables (`NAME=value`,
 * `export`, `$NAME`, `$?`), command substitution `$(…)`, and the few commands AWS docs pipe
 * into: `base64`, `echo`, `printf`, `cat`, `ls`.
 */
import { runAws, type AwsContext, type CliCall } from './aws.ts';
import { concatBytes, decodeBase64Lenient, fromUtf8, toBase64, utf8 } from './bytes.ts';
import { lex, ShellSyntaxError, type Operator, type ShellToken, type Word } from './tokenize.ts';

export interface RunCliOptions extends AwsContext {
  /** Shell variables; assignments write into this object so a session can keep it. */
  readonly env?: Record<string, string>;
}

export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** Every API call the line made, in order. */
  readonly calls: readonly CliCall[];
}

interface Redirect {
  readonly op: Operator;
  readonly target?: Word;
}

interface SimpleCommand {
  readonly words: Word[];
  readonly redirects: Redirect[];
}

interface Pipeline {
  readonly commands: SimpleCommand[];
  /** How this pipeline joins the previous one. */
  readonly connector: ';' | '&&' | '||';
}

function parse(tokens: ShellToken[]): Pipeline[] {
  const pipelines: Pipeline[] = [];
  let commands: SimpleCommand[] = [];
  let current: SimpleCommand = { words: [], redirects: [] };
  let connector: Pipeline['connector'] = ';';
  const endCommand = (op: string) => {
    if (current.words.length === 0 && current.redirects.length === 0) {
      if (op === '|' || commands.length > 0)
        throw new ShellSyntaxError(`syntax error near unexpected token \`${op}'`);
      return false;
    }
    commands.push(current);
    current = { words: [], redirects: [] };
    return true;
  };
  const endPipeline = (op: string, next: Pipeline['connector']) => {
    const had = endCommand(op);
    if (had) pipelines.push({ commands, connector });
    else if (next !== ';') throw new ShellSyntaxError(`syntax error near unexpected token \`${op}'`);
    commands = [];
    connector = next;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'word') {
      current.words.push(t.word);
      continue;
    }
    switch (t.op) {
      case '|':
        endCommand('|');
        break;
      case ';':
      case '\n':
        endPipeline(t.op === '\n' ? 'newline' : ';', ';');
        break;
      case '&&':
      case '||':
        endPipeline(t.op, t.op);
        break;
      case '2>&1':
        current.redirects.push({ op: t.op });
        break;
      default: {
        const target = tokens[i + 1];
        if (!target || target.type !== 'word')
          throw new ShellSyntaxError(
            `syntax error near unexpected token \`${target?.type === 'op' ? target.op : 'newline'}'`,
          );
        current.redirects.push({ op: t.op, target: target.word });
        i++;
      }
    }
  }
  if (current.words.length || current.redirects.length) commands.push(current);
  else if (commands.length) throw new ShellSyntaxError("syntax error near unexpected token `|'");
  if (commands.length) pipelines.push({ commands, connector });
  else if (connector !== ';') throw new ShellSyntaxError('syntax error: unexpected end of file');
  return pipelines;
}

interface Output {
  stdout: Uint8Array[];
  stderr: string;
  exitCode: number;
}

class Session {
  readonly calls: CliCall[] = [];
  stderr = '';
  lastExit = 0;

  constructor(
    readonly options: RunCliOptions,
    readonly env: Record<string, string>,
  ) {}

  async expand(word: Word): Promise<string> {
    let out = '';
    for (const p of word.parts) {
      if (p.kind === 'text') out += p.text;
      else if (p.kind === 'var') out += p.name === '?' ? String(this.lastExit) : (this.env[p.name] ?? '');
      else {
        const sub = await this.run(p.source);
        out += sub.stdout.replace(/\n+$/, '');
      }
    }
    return out;
  }

  /** Runs a line; stdout as bytes joined into text. */
  async run(line: string): Promise<{ stdout: string; exitCode: number }> {
    const pipelines = parse(lex(line).tokens);
    const stdout: Uint8Array[] = [];
    for (const p of pipelines) {
      if (p.connector === '&&' && this.lastExit !== 0) continue;
      if (p.connector === '||' && this.lastExit === 0) continue;
      const out = await this.pipeline(p);
      stdout.push(...out.stdout);
      this.stderr += out.stderr;
      this.lastExit = out.exitCode;
    }
    return { stdout: fromUtf8(concatBytes(stdout)), exitCode: this.lastExit };
  }

  async pipeline(p: Pipeline): Promise<Output> {
    let input: Uint8Array = new Uint8Array();
    let last: Output = { stdout: [], stderr: '', exitCode: 0 };
    let stderr = '';
    for (const [i, c] of p.commands.entries()) {
      last = await this.command(c, input);
      stderr += last.stderr;
      if (i < p.commands.length - 1) {
        input = concatBytes(last.stdout);
        last = { ...last, stdout: [] };
      }
    }
    return { stdout: last.stdout, stderr, exitCode: last.exitCode };
  }

  async command(c: SimpleCommand, stdin: Uint8Array): Promise<Output> {
    const fs = this.options.fs;
    const words: string[] = [];
    for (const w of c.words) words.push(await this.expand(w));
    // Leading NAME=value words are assignments.
    let n = 0;
    const assignments: [string, string][] = [];
    while (n < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[n]!) && isBareAssignment(c.words[n]!)) {
      const w = words[n]!;
      assignments.push([w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]);
      n++;
    }
    const argv = words.slice(n);
    if (argv.length === 0) for (const [k, v] of assignments) this.env[k] = v;

    let input = stdin;
    for (const r of c.redirects)
      if (r.op === '<') {
        const path = await this.expand(r.target!);
        const bytes = fs.read(path);
        if (!bytes) return { stdout: [], stderr: `bash: ${path}: No such file or directory\n`, exitCode: 1 };
        input = bytes;
      }
    let out: Output =
      argv.length === 0
        ? { stdout: [], stderr: '', exitCode: 0 }
        : await this.builtin(argv, input, assignments);

    for (const r of c.redirects) {
      if (r.op === '<') continue;
      if (r.op === '2>&1') {
        out = { ...out, stdout: [...out.stdout, utf8(out.stderr)], stderr: '' };
        continue;
      }
      const path = await this.expand(r.target!);
      const isErr = r.op === '2>' || r.op === '2>>';
      const data = isErr ? utf8(out.stderr) : concatBytes(out.stdout);
      if (path !== '/dev/null') {
        const append = r.op === '>>' || r.op === '2>>';
        fs.write(path, append ? concatBytes([fs.read(path) ?? new Uint8Array(), data]) : data);
      }
      out = isErr ? { ...out, stderr: '' } : { ...out, stdout: [] };
    }
    return out;
  }

  async builtin(argv: string[], stdin: Uint8Array, assignments: [string, string][]): Promise<Output> {
    const [name, ...args] = argv as [string, ...string[]];
    const fs = this.options.fs;
    const ok = (text: string | Uint8Array): Output => ({
      stdout: [typeof text === 'string' ? utf8(text) : text],
      stderr: '',
      exitCode: 0,
    });
    const fail = (message: string, exitCode = 1): Output => ({
      stdout: [],
      stderr: `${message}\n`,
      exitCode,
    });
    switch (name) {
      case 'aws': {
        const env = { ...this.env, ...Object.fromEntries(assignments) };
        const r = await runAws(args, {
          ...this.options,
          defaultRegion: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? this.options.defaultRegion,
          defaultOutput:
            (env.AWS_DEFAULT_OUTPUT as AwsContext['defaultOutput']) ?? this.options.defaultOutput,
        });
        this.calls.push(...r.calls);
        return { stdout: [utf8(r.stdout)], stderr: r.stderr, exitCode: r.exitCode };
      }
      case 'export':
        for (const a of args) {
          const eq = a.indexOf('=');
          if (eq > 0) this.env[a.slice(0, eq)] = a.slice(eq + 1);
        }
        return ok('');
      case 'echo': {
        let newline = true;
        let rest = args;
        while (rest[0] === '-n' || rest[0] === '-e' || rest[0] === '-ne' || rest[0] === '-en') {
          if (rest[0].includes('n')) newline = false;
          rest = rest.slice(1);
        }
        return ok(rest.join(' ') + (newline ? '\n' : ''));
      }
      case 'printf': {
        const [format = '', ...values] = args;
        let i = 0;
        const text = format
          .replace(/%[sd%]/g, (m) => (m === '%%' ? '%' : (values[i++] ?? '')))
          .replace(/\\(n|t|\\)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
        return ok(text);
      }
      case 'cat': {
        if (args.length === 0) return ok(stdin);
        const parts: Uint8Array[] = [];
        for (const path of args) {
          const bytes = fs.read(path);
          if (!bytes) return fail(`cat: ${path}: No such file or directory`);
          parts.push(bytes);
        }
        return ok(concatBytes(parts));
      }
      case 'base64': {
        let decode = false;
        let wrap = 76;
        let file: string | undefined;
        for (let i = 0; i < args.length; i++) {
          const a = args[i]!;
          if (a === '-d' || a === '--decode' || a === '-D') decode = true;
          else if (a === '-w' || a === '--wrap') wrap = Number(args[++i] ?? 76);
          else if (a.startsWith('--wrap=')) wrap = Number(a.slice(7));
          else if (/^-w\d+$/.test(a)) wrap = Number(a.slice(2));
          else if (a === '-i' || a === '--ignore-garbage') continue;
          else if (a.startsWith('-') && a !== '-')
            return fail(`base64: invalid option -- '${a.replace(/^-+/, '')}'`);
          else file = a;
        }
        let data = stdin;
        if (file !== undefined && file !== '-') {
          const bytes = fs.read(file);
          if (!bytes) return fail(`base64: ${file}: No such file or directory`);
          data = bytes;
        }
        if (decode) {
          const bytes = decodeBase64Lenient(fromUtf8(data));
          return bytes ? ok(bytes) : fail('base64: invalid input');
        }
        const b64 = toBase64(data);
        const lines = wrap > 0 ? (b64.match(new RegExp(`.{1,${wrap}}`, 'g')) ?? []) : [b64];
        return ok(lines.length ? `${lines.join('\n')}\n` : '');
      }
      case 'ls': {
        if (!fs.list) return fail('ls: listing files is not available here');
        return ok(
          fs
            .list()
            .sort()
            .map((p) => `${p}\n`)
            .join(''),
        );
      }
      default:
        return fail(`${name}: command not found`, 127);
    }
  }
}

/** Whether a word is a literal `NAME=…` (its name not quoted or expanded). */
const isBareAssignment = (w: Word) => {
  const first = w.parts[0];
  return first?.kind === 'text' && !first.quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(first.text);
};

/**
 * Runs one command line: `aws kms …` and the small shell around it. Never throws; failures come
 * back as stderr and a non-zero exit code, with every API call made on the way.
 */
export async function runCli(line: string, options: RunCliOptions): Promise<CliResult> {
  const session = new Session(options, options.env ?? {});
  try {
    const { stdout, exitCode } = await session.run(line);
    return { stdout, stderr: session.stderr, exitCode, calls: session.calls };
  } catch (e) {
    if (e instanceof ShellSyntaxError)
      return {
        stdout: '',
        stderr: `${session.stderr}bash: ${e.message}\n`,
        exitCode: 2,
        calls: session.calls,
      };
    throw e;
  }
}
