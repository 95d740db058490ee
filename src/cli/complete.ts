/**
 * Tab completion for the command line: shell commands, `aws` services, commands, options (the
 * ones not given yet), enum values, Regions, output formats, key IDs and aliases of the world and
 * `file://` / `fileb://` paths.
 */
import { DEFAULT_REGION, REGIONS, type Kms } from '../kms/index.ts';
import type { VirtualFs } from './args.ts';
import { GLOBAL_OPTIONS, isOptionLike } from './aws.ts';
import { cliServices, findArgument, type CliArgument, type CliCommand } from './services.ts';
import { lex, wordText } from './tokenize.ts';

export interface CompletionContext {
  /** Offers key IDs and alias names for `--key-id` and friends. */
  readonly kms?: Kms;
  /** Offers paths after `file://`, `fileb://` and redirections. */
  readonly fs?: VirtualFs;
  /** The Region whose keys to offer when the line names none. */
  readonly region?: string;
}

export interface Completion {
  /** Offsets of the text the chosen candidate replaces (the word being typed). */
  readonly start: number;
  readonly end: number;
  readonly candidates: string[];
}

export const SHELL_COMMANDS = ['aws', 'base64', 'cat', 'echo', 'export', 'ls', 'printf'];

const SEPARATORS = new Set(['|', ';', '&&', '||', '\n']);

/** Completion candidates for the word under the cursor at the end of `line`. */
export function complete(line: string, ctx: CompletionContext = {}): string[] {
  return completeAt(line, ctx).candidates;
}

/** Like {@link complete}, with the range the candidate replaces. */
export function completeAt(line: string, ctx: CompletionContext = {}): Completion {
  const { tokens, openQuote } = lex(line, true);
  let segmentStart = 0;
  tokens.forEach((t, i) => {
    if (t.type === 'op' && SEPARATORS.has(t.op)) segmentStart = i + 1;
  });
  const segment = tokens.slice(segmentStart);
  const lastTok = segment.at(-1);
  const typing = lastTok?.type === 'word' && (lastTok.word.end === line.length || openQuote !== undefined);
  const current = typing ? wordText(lastTok.word) : '';
  const start = typing ? lastTok.word.start : line.length;
  const before = typing ? segment.slice(0, -1) : segment;
  const result = (candidates: string[]): Completion => ({
    start,
    end: line.length,
    candidates: [...new Set(candidates)].filter((c) => c.startsWith(current)),
  });

  const prev = before.at(-1);
  if (prev?.type === 'op') return result(files(ctx, ''));
  const words = before.flatMap((t) => (t.type === 'word' ? [wordText(t.word)] : []));
  if (words.length === 0) return result(SHELL_COMMANDS);
  if (words[0] !== 'aws') return result(files(ctx, ''));
  return result(awsCandidates(words.slice(1), current, ctx));
}

function files(ctx: CompletionContext, prefix: string): string[] {
  return (ctx.fs?.list?.() ?? []).sort().map((p) => `${prefix}${p}`);
}

function awsCandidates(words: string[], current: string, ctx: CompletionContext): string[] {
  const services = cliServices();
  const positional: string[] = [];
  let region: string | undefined;
  let pendingGlobal: string | undefined;
  let lastOption: string | undefined;
  const used = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const g = GLOBAL_OPTIONS[w];
    if (g) {
      if (g.takesValue) {
        if (i + 1 < words.length) {
          if (w === '--region') region = words[i + 1];
          i++;
        } else pendingGlobal = w;
      }
      lastOption = undefined;
      continue;
    }
    if (isOptionLike(w)) {
      used.add(w);
      lastOption = w;
      continue;
    }
    if (lastOption === undefined) positional.push(w);
  }
  if (pendingGlobal) {
    if (pendingGlobal === '--region') return REGIONS.map((r) => r.name);
    return [...(GLOBAL_OPTIONS[pendingGlobal]!.choices ?? [])];
  }
  const globalNames = Object.keys(GLOBAL_OPTIONS);
  if (positional.length === 0) return current.startsWith('-') ? globalNames : [...services.keys(), 'help'];
  const service = services.get(positional[0]!);
  if (!service) return [];
  if (positional.length === 1)
    return current.startsWith('-') ? globalNames : [...service.commands.keys(), 'help'];
  const cmd = service.commands.get(positional[1]!);
  if (!cmd) return [];

  // A value for the option just typed?
  const found = lastOption ? findArgument(cmd, lastOption) : undefined;
  const lastWord = words.at(-1);
  const valueExpected =
    found &&
    found.arg.shape.type !== 'boolean' &&
    (lastWord === lastOption || found.arg.shape.type === 'list') &&
    !current.startsWith('-');
  if (found && valueExpected) return valueCandidates(found.arg, current, ctx, region);
  if (lastOption === '--cli-input-json' && lastWord === lastOption) return fileRefs(ctx, current);
  if (lastOption === '--generate-cli-skeleton' && lastWord === lastOption && !current.startsWith('-'))
    return ['input', 'yaml-input', 'output'];
  if (!current.startsWith('-') && current !== '') return [];
  return [...optionNames(cmd, used), ...globalNames];
}

function optionNames(cmd: CliCommand, used: Set<string>): string[] {
  const args = cmd.args.filter((a) => !a.undocumented);
  const ordered = [...args.filter((a) => a.required), ...args.filter((a) => !a.required)];
  const names: string[] = [];
  for (const a of ordered) {
    const neg = `--no-${a.cliName.slice(2)}`;
    if (used.has(a.cliName) || used.has(neg)) continue;
    names.push(a.cliName);
    if (a.shape.type === 'boolean') names.push(neg);
  }
  names.push('--cli-input-json', '--generate-cli-skeleton');
  if (cmd.paginator) names.push('--starting-token', '--page-size', '--max-items');
  return names.filter((n) => !used.has(n));
}

function fileRefs(ctx: CompletionContext, current: string): string[] {
  const prefix = current.startsWith('fileb://')
    ? 'fileb://'
    : current.startsWith('file://')
      ? 'file://'
      : undefined;
  if (prefix) return files(ctx, prefix);
  return ['file://', 'fileb://'];
}

function valueCandidates(
  arg: CliArgument,
  current: string,
  ctx: CompletionContext,
  region?: string,
): string[] {
  const shape = arg.shape.type === 'list' ? arg.shape.member : arg.shape;
  if (current.startsWith('file')) return fileRefs(ctx, current);
  if (shape.type === 'string' && shape.enum) return [...shape.enum];
  if (shape.type === 'boolean') return ['true', 'false'];
  if (shape.type === 'blob') return ['fileb://', 'file://'];
  if (shape.type === 'string' && /KeyId$/.test(arg.member) && ctx.kms) {
    const r = region ?? ctx.region ?? DEFAULT_REGION;
    const keys = ctx.kms
      .keys()
      .filter((k) => k.region === r)
      .map((k) => k.keyId);
    const aliases = ctx.kms
      .aliases()
      .filter((a) => a.region === r)
      .map((a) => a.aliasName);
    return [...keys, ...aliases];
  }
  if (/Region$/.test(arg.member)) return REGIONS.map((x) => x.name);
  if (shape.type === 'structure') return Object.keys(shape.members).map((k) => `${k}=`);
  return [];
}
