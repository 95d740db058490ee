/**
 * The `aws` command: global options, `aws <service> <command>` resolution, argument parsing with
 * argparse's rules and the AWS CLI's wording, the API call (auto-paginated like the CLI), and the
 * formatted output. Exit codes are the CLI v2's: 252 for command-line errors, 254 for service
 * errors, 255 for everything else.
 */
import jmespath from 'jmespath';
import { isKmsError, rootPrincipal, DEFAULT_ACCOUNT, DEFAULT_REGION, type Kms } from '../kms/index.ts';
import type { CallerContext } from '../kms/world/principal.ts';
import {
  CliInputError,
  convertArgument,
  convertInputJson,
  loadParamFile,
  Problems,
  skeleton,
  type BinaryFormat,
  type VirtualFs,
} from './args.ts';
import { fromBase64, fromUtf8, toBase64, utf8 } from './bytes.ts';
import { formatOutput, formatYaml, OUTPUT_FORMATS, toDocument, type OutputFormat } from './format.ts';
import { commandHelp, serviceHelp, topHelp } from './help.ts';
import { cliServices, findArgument, type CliArgument, type CliCommand, type CliService } from './services.ts';

export const CLI_VERSION = 'aws-cli/2.27.50 Python/3.13.4 KMSLab/0.1 exe/x86_64 prompt/off';

export const USAGE =
  'usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n' +
  'To see help text, you can run:\n\n' +
  '  aws help\n' +
  '  aws <command> help\n' +
  '  aws <command> <subcommand> help\n';

/** One API call a command line made, for the lab's animation and trail. */
export interface CliCall {
  readonly service: string;
  readonly operation: string;
  readonly input: Record<string, unknown>;
  readonly region: string;
  readonly output?: Record<string, unknown>;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface AwsContext {
  readonly kms: Kms;
  readonly fs: VirtualFs;
  /** Who calls; default: the root user of the default account. `--region` overrides its Region. */
  readonly caller?: CallerContext;
  /** The configured Region (`aws configure`); default: the caller's, else us-east-1. */
  readonly defaultRegion?: string;
  /** The configured output format; default json. */
  readonly defaultOutput?: OutputFormat;
  /** Terminal width: wider tables turn vertical, as the CLI's do (default 80). */
  readonly columns?: number;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  calls: CliCall[];
}

interface GlobalOption {
  readonly takesValue: boolean;
  readonly choices?: readonly string[];
}

export const GLOBAL_OPTIONS: Readonly<Record<string, GlobalOption>> = {
  '--debug': { takesValue: false },
  '--endpoint-url': { takesValue: true },
  '--no-verify-ssl': { takesValue: false },
  '--no-paginate': { takesValue: false },
  '--output': { takesValue: true, choices: OUTPUT_FORMATS },
  '--query': { takesValue: true },
  '--profile': { takesValue: true },
  '--region': { takesValue: true },
  '--version': { takesValue: false },
  '--color': { takesValue: true, choices: ['on', 'off', 'auto'] },
  '--no-sign-request': { takesValue: false },
  '--ca-bundle': { takesValue: true },
  '--cli-read-timeout': { takesValue: true },
  '--cli-connect-timeout': { takesValue: true },
  '--cli-binary-format': { takesValue: true, choices: ['base64', 'raw-in-base64-out'] },
  '--no-cli-pager': { takesValue: false },
  '--cli-auto-prompt': { takesValue: false },
  '--no-cli-auto-prompt': { takesValue: false },
};

/** argparse's error, after the usage. */
class UsageError extends CliInputError {
  constructor(message: string) {
    super(message, 252, 'argparse');
  }
}

/** argparse's "Invalid choice" message (awscli/argparser.py, two choices a line). */
export function invalidChoice(argument: string, value: string, choices: readonly string[]): string {
  const lines = ['Invalid choice, valid choices are:\n'];
  for (let i = 0; i < choices.length; i += 2)
    lines.push(
      choices
        .slice(i, i + 2)
        .map((c) => c.padEnd(40))
        .join(' | '),
    );
  const close = closeMatches(value, choices);
  if (close.length)
    lines.push(`\n\nInvalid choice: '${value}', maybe you meant:\n`, ...close.map((c) => `  * ${c}`));
  return `argument ${argument}: ${lines.join('\n')}`;
}

/** difflib.get_close_matches(cutoff=0.8), approximated with the same ratio on the LCS. */
function closeMatches(word: string, choices: readonly string[]): string[] {
  const ratio = (a: string, b: string) => {
    const dp: number[][] = Array.from({ length: a.length + 1 }, () =>
      new Array<number>(b.length + 1).fill(0),
    );
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
    return (2 * dp[a.length]![b.length]!) / (a.length + b.length);
  };
  return choices
    .map((c) => [c, ratio(word, c)] as const)
    .filter(([, r]) => r >= 0.8)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([c]) => c);
}

/** What argparse takes for an option rather than a value. */
export const isOptionLike = (s: string): boolean =>
  s.length > 1 && s.startsWith('-') && !/^-\d+$|^-\d*\.\d+$/.test(s) && !s.includes(' ');

interface Globals {
  values: Map<string, string>;
  flags: Set<string>;
  rest: string[];
}

function extractGlobals(argv: readonly string[]): Globals {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq > 0 ? token.slice(0, eq) : token;
    const opt = GLOBAL_OPTIONS[name];
    if (!opt) {
      rest.push(token);
      continue;
    }
    if (!opt.takesValue) {
      flags.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = token.slice(eq + 1);
    else if (i + 1 < argv.length && !isOptionLike(argv[i + 1]!)) value = argv[++i];
    if (value === undefined) throw new UsageError(`argument ${name}: expected one argument`);
    if (opt.choices && !opt.choices.includes(value))
      throw new UsageError(invalidChoice(name, value, opt.choices));
    values.set(name, value);
  }
  return { values, flags, rest };
}

type JmesPath = { search(doc: unknown, query: string): unknown; compile?(query: string): unknown };
const jp = jmespath as unknown as JmesPath;

function checkQuery(query: string | undefined) {
  if (query === undefined) return;
  try {
    if (jp.compile) jp.compile(query);
    else jp.search({}, query);
  } catch (e) {
    throw new UsageError(`argument --query: Bad value for --query: ${query}: ${(e as Error).message}`);
  }
}

interface ParsedCommand {
  values: Map<CliArgument, string[]>;
  flags: Map<CliArgument, boolean>;
  extra: Map<string, string[]>;
  unknown: string[];
}

const EXTRA_ARGS: Readonly<Record<string, 'one' | 'optional'>> = {
  '--cli-input-json': 'one',
  '--generate-cli-skeleton': 'optional',
};
const PAGING_ARGS = ['--starting-token', '--page-size', '--max-items'];

function parseCommandArgs(cmd: CliCommand, argv: readonly string[]): ParsedCommand {
  const parsed: ParsedCommand = { values: new Map(), flags: new Map(), extra: new Map(), unknown: [] };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!isOptionLike(token)) {
      parsed.unknown.push(token);
      continue;
    }
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq > 0 ? token.slice(0, eq) : token;
    const inline = eq > 0 ? token.slice(eq + 1) : undefined;
    const takeValues = (many: boolean): string[] => {
      if (inline !== undefined) return [inline];
      const vals: string[] = [];
      while (i + 1 < argv.length && !isOptionLike(argv[i + 1]!) && (many || vals.length === 0))
        vals.push(argv[++i]!);
      return vals;
    };
    const extraKind = EXTRA_ARGS[name] ?? (cmd.paginator && PAGING_ARGS.includes(name) ? 'one' : undefined);
    if (extraKind) {
      const vals = takeValues(false);
      if (extraKind === 'one' && vals.length === 0)
        throw new UsageError(`argument ${name}: expected one argument`);
      parsed.extra.set(name, vals);
      continue;
    }
    const found = findArgument(cmd, name);
    if (!found) {
      parsed.unknown.push(token);
      continue;
    }
    const { arg, negated } = found;
    if (arg.shape.type === 'boolean') {
      if (inline !== undefined)
        throw new UsageError(`argument ${name}: ignored explicit argument '${inline}'`);
      parsed.flags.set(arg, !negated);
      continue;
    }
    const many = arg.shape.type === 'list';
    const vals = takeValues(many);
    if (vals.length === 0)
      throw new UsageError(`argument ${name}: expected ${many ? 'at least one argument' : 'one argument'}`);
    parsed.values.set(arg, vals);
  }
  return parsed;
}

const encodeToken = (t: Record<string, unknown>) => toBase64(utf8(JSON.stringify(t)));
function decodeToken(token: string): Record<string, unknown> {
  const bytes = fromBase64(token);
  try {
    const t: unknown = bytes && JSON.parse(fromUtf8(bytes));
    if (t && typeof t === 'object') return t as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new CliInputError(`Bad starting token: ${token}`, 255);
}

const parseInteger = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(v)) throw new UsageError(`argument ${name}: invalid int value: '${v}'`);
  return Number.parseInt(v, 10);
};

export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly operation: string,
  ) {
    super(message);
  }
}

/** Runs `aws …` (argv without the leading `aws`). */
export async function runAws(argv: readonly string[], ctx: AwsContext): Promise<CommandResult> {
  const result: CommandResult = { stdout: '', stderr: '', exitCode: 0, calls: [] };
  try {
    await execute(argv, ctx, result);
  } catch (e) {
    if (e instanceof CliInputError) {
      result.stderr +=
        e.usage === 'argparse'
          ? `${USAGE}\naws: error: ${e.message}\n`
          : e.usage
            ? `${USAGE}\n${e.message}\n`
            : `\n${e.message}\n`;
      result.exitCode = e.exitCode;
    } else if (e instanceof ServiceError) {
      result.stderr += `\nAn error occurred (${e.code}) when calling the ${e.operation} operation: ${e.message}\n`;
      result.exitCode = 254;
    } else {
      result.stderr += `\n${e instanceof Error ? e.message : String(e)}\n`;
      result.exitCode = 255;
    }
  }
  return result;
}

async function execute(argv: readonly string[], ctx: AwsContext, result: CommandResult): Promise<void> {
  const services = cliServices();
  const globals = extractGlobals(argv);
  const query = globals.values.get('--query');
  checkQuery(query);
  const [serviceName, ...afterService] = globals.rest;
  if (serviceName === undefined || isOptionLike(serviceName)) {
    if (globals.flags.has('--version')) {
      result.stdout += `${CLI_VERSION}\n`;
      return;
    }
    if (serviceName !== undefined)
      throw new CliInputError(`Unknown options: ${globals.rest.join(', ')}`, 252, true);
    throw new UsageError('the following arguments are required: command');
  }
  if (serviceName === 'help') {
    result.stdout += topHelp(services.values());
    return;
  }
  const service = services.get(serviceName);
  if (!service) throw new UsageError(invalidChoice('command', serviceName, [...services.keys()]));
  const [commandName, ...commandArgs] = afterService;
  if (commandName === undefined || isOptionLike(commandName))
    throw new UsageError('the following arguments are required: operation');
  if (commandName === 'help') {
    result.stdout += serviceHelp(service);
    return;
  }
  const cmd = service.commands.get(commandName);
  if (!cmd) throw new UsageError(invalidChoice('operation', commandName, [...service.commands.keys()]));
  if (commandArgs[0] === 'help' || commandArgs.at(-1) === 'help') {
    result.stdout += commandHelp(service, cmd);
    return;
  }
  await runCommand(service, cmd, commandArgs, globals, query, ctx, result);
}

async function runCommand(
  service: CliService,
  cmd: CliCommand,
  argv: readonly string[],
  globals: Globals,
  query: string | undefined,
  ctx: AwsContext,
  result: CommandResult,
): Promise<void> {
  const parsed = parseCommandArgs(cmd, argv);
  const skeletonArg = parsed.extra.get('--generate-cli-skeleton');
  const binaryFormat = (globals.values.get('--cli-binary-format') ?? 'base64') as BinaryFormat;
  const convert = { fs: ctx.fs, binaryFormat };
  const problems = new Problems();

  // argparse: required arguments first (unless the JSON input or a skeleton request supplies them).
  const jsonArg = parsed.extra.get('--cli-input-json')?.[0];
  if (!skeletonArg && jsonArg === undefined) {
    const missing = cmd.args.filter((a) => a.required && !parsed.values.has(a) && !parsed.flags.has(a));
    if (missing.length)
      throw new UsageError(
        `the following arguments are required: ${missing.map((a) => a.cliName).join(', ')}`,
      );
  }
  if (parsed.unknown.length)
    throw new CliInputError(`Unknown options: ${parsed.unknown.join(', ')}`, 252, true);

  if (skeletonArg) {
    const kind = skeletonArg[0] ?? 'input';
    const choices = ['input', 'yaml-input', 'output'];
    if (!choices.includes(kind))
      throw new UsageError(invalidChoice('--generate-cli-skeleton', kind, choices));
    if (kind === 'output')
      throw new CliInputError('--generate-cli-skeleton output is not available in KMS Lab.', 255);
    const doc = skeleton(cmd.input);
    result.stdout += kind === 'yaml-input' ? formatYaml(doc) : `${JSON.stringify(doc, null, 4)}\n`;
    return;
  }

  let input: Record<string, unknown> = {};
  if (jsonArg !== undefined) {
    const loaded = loadParamFile('--cli-input-json', jsonArg, ctx.fs);
    input = convertInputJson(
      'text' in loaded ? loaded.text : fromUtf8(loaded.bytes),
      cmd.input,
      convert,
      problems,
    );
  }
  for (const arg of cmd.args) {
    const flag = parsed.flags.get(arg);
    if (flag !== undefined) input[arg.member] = flag;
    const values = parsed.values.get(arg);
    if (values) input[arg.member] = convertArgument(arg, values, convert, problems);
  }
  if (jsonArg !== undefined) {
    const missing = cmd.args.filter((a) => a.required && input[a.member] === undefined);
    if (missing.length)
      throw new UsageError(
        `the following arguments are required: ${missing.map((a) => a.cliName).join(', ')}`,
      );
  }
  if (problems.list.length)
    throw new CliInputError(`Parameter validation failed:\n${problems.list.join('\n')}`, 252);

  const region = globals.values.get('--region') ?? ctx.defaultRegion ?? ctx.caller?.region ?? DEFAULT_REGION;
  const base: CallerContext = ctx.caller ?? { principal: rootPrincipal(DEFAULT_ACCOUNT), region };
  const caller: CallerContext = {
    ...base,
    region,
    source: ctx.caller?.source ?? 'cli',
    userAgent:
      base.userAgent ?? `${CLI_VERSION} md/command#${service.name}.${cmd.name} cfg/retry-mode#standard`,
  };

  const call = async (req: Record<string, unknown>): Promise<Record<string, unknown>> => {
    try {
      const output = await service.send(ctx.kms, cmd.operation, req, caller);
      result.calls.push({ service: service.name, operation: cmd.operation, input: req, region, output });
      return output;
    } catch (e) {
      if (isKmsError(e)) {
        result.calls.push({
          service: service.name,
          operation: cmd.operation,
          input: req,
          region,
          error: { code: e.code, message: e.message },
        });
        throw new ServiceError(e.code, e.message, cmd.operation);
      }
      throw e;
    }
  };

  const pager = cmd.paginator;
  const paginate =
    pager &&
    !globals.flags.has('--no-paginate') &&
    input[pager.inputToken] === undefined &&
    input[pager.limitKey] === undefined;
  let response: Record<string, unknown>;
  if (pager && paginate) {
    const pageSize = parseInteger('--page-size', parsed.extra.get('--page-size')?.[0]);
    const maxItems = parseInteger('--max-items', parsed.extra.get('--max-items')?.[0]);
    const starting = parsed.extra.get('--starting-token')?.[0];
    const token = starting !== undefined ? decodeToken(starting) : {};
    let marker = token[pager.inputToken] as string | undefined;
    let skip = typeof token.boto_truncate_amount === 'number' ? token.boto_truncate_amount : 0;
    const items: unknown[] = [];
    let next: Record<string, unknown> | undefined;
    for (;;) {
      const req = {
        ...input,
        ...(marker !== undefined ? { [pager.inputToken]: marker } : {}),
        ...(pageSize !== undefined ? { [pager.limitKey]: pageSize } : {}),
      };
      const out = await call(req);
      const page = (out[pager.resultKey] as unknown[] | undefined) ?? [];
      const fresh = page.slice(skip);
      const more =
        (pager.moreResults ? out[pager.moreResults] : true) && out[pager.outputToken] !== undefined;
      if (maxItems !== undefined && items.length + fresh.length >= maxItems) {
        const take = maxItems - items.length;
        items.push(...fresh.slice(0, take));
        if (skip + take < page.length)
          next = {
            ...(marker !== undefined ? { [pager.inputToken]: marker } : {}),
            boto_truncate_amount: skip + take,
          };
        else if (more) next = { [pager.inputToken]: out[pager.outputToken] };
        break;
      }
      items.push(...fresh);
      skip = 0;
      if (!more) break;
      marker = out[pager.outputToken] as string;
    }
    response = { [pager.resultKey]: items, ...(next ? { NextToken: encodeToken(next) } : {}) };
  } else response = await call(input);

  let doc = toDocument(response);
  if (query !== undefined) doc = jp.search(doc, query) ?? null;
  const format = (globals.values.get('--output') ?? ctx.defaultOutput ?? 'json') as OutputFormat;
  result.stdout += formatOutput(format, cmd.operation, doc, ctx.columns ?? 80);
}
