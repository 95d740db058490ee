/**
 * `aws help`, `aws kms help` and `aws kms <command> help`, generated from the operation registry
 * in the layout of the AWS CLI's man-page help (NAME, DESCRIPTION, SYNOPSIS, OPTIONS).
 */
import type { Shape } from '../kms/operations/shape.ts';
import type { CliArgument, CliCommand, CliService } from './services.ts';

const title = (name: string) => {
  const head = `${name.toUpperCase()}()`;
  return `${head}${' '.repeat(Math.max(1, 78 - head.length * 2))}${head}\n\n\n\n`;
};

const typeName = (s: Shape): string => s.type;

/** Shorthand syntax lines, as the CLI documents them. */
function shorthandSyntax(shape: Shape): string | undefined {
  const scalar = (s: Shape) =>
    s.type === 'integer' ? 'integer' : s.type === 'boolean' ? 'boolean' : 'string';
  const struct = (s: Shape & { type: 'structure' }): string =>
    Object.entries(s.members)
      .map(([k, v]) =>
        v.type === 'structure'
          ? `${k}={${struct(v)}}`
          : v.type === 'list'
            ? `${k}=${scalar(v.member)},${scalar(v.member)}`
            : `${k}=${scalar(v)}`,
      )
      .join(',');
  if (shape.type === 'structure') return struct(shape);
  if (shape.type === 'map') return 'KeyName1=string,KeyName2=string';
  if (shape.type === 'list') {
    if (shape.member.type === 'structure') return `${struct(shape.member)} ...`;
    if (shape.member.type !== 'map' && shape.member.type !== 'list')
      return `${scalar(shape.member)} ${scalar(shape.member)} ...`;
  }
  return undefined;
}

function jsonSyntax(shape: Shape, indent = ''): string {
  const inner = `${indent}  `;
  switch (shape.type) {
    case 'structure':
      return `{\n${Object.entries(shape.members)
        .map(([k, v]) => `${inner}"${k}": ${jsonSyntax(v, inner)}`)
        .join(',\n')}\n${indent}}`;
    case 'map':
      return `{"string": ${jsonSyntax(shape.value, inner)}\n${inner}...}`;
    case 'list':
      return `[\n${inner}${jsonSyntax(shape.member, inner)}\n${inner}...\n${indent}]`;
    case 'string':
      return shape.enum ? `"${shape.enum.join('"|"')}"` : '"string"';
    case 'blob':
      return 'blob';
    case 'timestamp':
      return 'timestamp';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'true|false';
  }
}

const constraints = (s: Shape): string[] => {
  const c: string[] = [];
  if ('min' in s && s.min !== undefined) c.push(`min: ${s.min}`);
  if ('max' in s && s.max !== undefined) c.push(`max: ${s.max}`);
  if (s.type === 'string' && s.pattern) c.push(`pattern: ${s.pattern}`);
  return c;
};

const indentLines = (text: string, pad: string) =>
  text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');

function optionDoc(arg: CliArgument): string {
  const s = arg.shape;
  const lines: string[] = [];
  const head = s.type === 'boolean' ? `${arg.cliName} | --no-${arg.cliName.slice(2)}` : arg.cliName;
  lines.push(`       ${head} (${typeName(s)})`);
  lines.push(`          The ${arg.member} member of the request${arg.required ? ' (required)' : ''}.`);
  const c = constraints(s);
  if (c.length) lines.push('', '          Constraints:', '', ...c.map((x) => `          o ${x}`));
  if (s.type === 'blob')
    lines.push(
      '',
      '          A blob: base64 text by default, raw text with --cli-binary-format',
      '          raw-in-base64-out, or the bytes of a file with fileb://<path>.',
    );
  if (s.type === 'string' && s.enum)
    lines.push('', '          Possible values:', '', ...s.enum.map((v) => `          o ${v}`));
  const sh = shorthandSyntax(s);
  if (sh) lines.push('', '       Shorthand Syntax:', '', `          ${sh}`);
  if (s.type === 'list' || s.type === 'map' || s.type === 'structure')
    lines.push('', '       JSON Syntax:', '', indentLines(jsonSyntax(s), '          '));
  return lines.join('\n');
}

const synopsisLine = (a: CliArgument) => {
  const v = a.shape.type === 'boolean' ? `${a.cliName} | --no-${a.cliName.slice(2)}` : `${a.cliName} <value>`;
  return a.required ? `          ${v}` : `          [${v}]`;
};

export function commandHelp(service: CliService, cmd: CliCommand): string {
  const documented = cmd.args.filter((a) => !a.undocumented);
  const ordered = [...documented.filter((a) => a.required), ...documented.filter((a) => !a.required)];
  const paging = cmd.paginator
    ? [
        '          [--starting-token <value>]',
        '          [--page-size <value>]',
        '          [--max-items <value>]',
      ]
    : [];
  const pagingDocs = cmd.paginator
    ? [
        '',
        '       --starting-token (string)',
        '          A token to specify where to start paginating: the NextToken of a',
        '          previously truncated response.',
        '',
        '       --page-size (integer)',
        `          The size of each page to get in the AWS service call (the ${cmd.paginator.limitKey} of`,
        '          each request). The CLI still retrieves the full data set.',
        '',
        '       --max-items (integer)',
        '          The total number of items to return in the command output. When more',
        '          remain, a NextToken is returned for --starting-token.',
      ]
    : [];
  const action = cmd.spec.action;
  return [
    title(cmd.name),
    'NAME',
    `       ${cmd.name} -`,
    '',
    'DESCRIPTION',
    `       Calls the ${service.name.toUpperCase()} ${cmd.operation} API${action ? ` (IAM action ${action})` : ''}`,
    `       with the same request the SDK sends (${cmd.spec.mutates ? 'changes the world' : 'read-only'}).`,
    ...(cmd.paginator
      ? [
          '',
          `       ${cmd.name} is a paginated operation. Multiple API calls may be issued in`,
          `       order to retrieve the entire data set of results. You can disable`,
          '       pagination by providing the --no-paginate argument.',
        ]
      : []),
    '',
    'SYNOPSIS',
    `            ${cmd.name}`,
    ...ordered.map(synopsisLine),
    '          [--cli-input-json <value>]',
    ...paging,
    '          [--generate-cli-skeleton <value>]',
    '          [--debug]',
    '          [--endpoint-url <value>]',
    '          [--no-verify-ssl]',
    '          [--no-paginate]',
    '          [--output <value>]',
    '          [--query <value>]',
    '          [--profile <value>]',
    '          [--region <value>]',
    '          [--version <value>]',
    '          [--color <value>]',
    '          [--no-sign-request]',
    '          [--ca-bundle <value>]',
    '          [--cli-read-timeout <value>]',
    '          [--cli-connect-timeout <value>]',
    '          [--cli-binary-format <value>]',
    '          [--no-cli-pager]',
    '          [--cli-auto-prompt]',
    '          [--no-cli-auto-prompt]',
    '',
    'OPTIONS',
    ...ordered.map((a) => `${optionDoc(a)}\n`),
    '       --cli-input-json (string)',
    '          Reads arguments from the JSON string provided (or file://<path>). The JSON',
    '          string follows the format provided by --generate-cli-skeleton. Values',
    '          given on the command line override the JSON.',
    ...pagingDocs,
    '',
    '       --generate-cli-skeleton (string)',
    '          Prints a JSON skeleton to standard output without sending an API',
    '          request. With no value or the value input, prints a sample input JSON',
    '          that can be used as an argument for --cli-input-json.',
    '',
    'GLOBAL OPTIONS',
    '       --output (string): json, text, table, yaml or yaml-stream.',
    '       --query (string): a JMESPath query to filter the response data.',
    '       --region (string): the Region to send the request to.',
    '       --cli-binary-format (string): base64 (default) or raw-in-base64-out.',
    '',
  ].join('\n');
}

export function serviceHelp(service: CliService): string {
  return [
    title(service.name),
    'NAME',
    `       ${service.name} -`,
    '',
    'DESCRIPTION',
    `       ${service.title}, simulated by KMS Lab. Every command sends the same API`,
    '       request as the AWS SDK. Run "aws ' + service.name + ' <command> help" for a command\'s options.',
    '',
    'AVAILABLE COMMANDS',
    ...[...service.commands.keys(), 'help'].sort().map((c) => `       o ${c}\n`),
  ].join('\n');
}

export function topHelp(services: Iterable<CliService>): string {
  return [
    title('aws'),
    'NAME',
    '       aws -',
    '',
    'DESCRIPTION',
    '       The AWS Command Line Interface, as KMS Lab simulates it.',
    '',
    'SYNOPSIS',
    '          aws [options] <command> <subcommand> [parameters]',
    '',
    '       Use aws command help for information on a specific command.',
    '',
    'GLOBAL OPTIONS',
    '       --output (string): json, text, table, yaml, yaml-stream',
    '       --query (string): a JMESPath query to filter the response data.',
    '       --region (string): the Region to send requests to.',
    '       --cli-binary-format (string): base64 | raw-in-base64-out',
    '       --no-paginate (boolean): disable automatic pagination.',
    '       --no-cli-pager (boolean): accepted; output is never paged here.',
    '',
    'AVAILABLE SERVICES',
    ...[...services].map((s) => `       o ${s.name}\n`),
    '       o help\n',
  ].join('\n');
}
