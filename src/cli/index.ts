/**
 * KMS Lab's AWS CLI: `aws kms <command>` with the CLI v2's syntax, output and errors, running
 * the same API calls the SDK makes against the engine. No DOM and no Node APIs: it runs in the
 * browser's KMS worker as well as in Node.
 *
 * ```ts
 * const fs = new MemoryFs({ 'secret.txt': 'hello' });
 * const r = await runCli('aws kms encrypt --key-id alias/app --plaintext fileb://secret.txt', { kms, fs });
 * r.stdout; r.stderr; r.exitCode; r.calls;
 * ```
 */
export { runCli, type CliResult, type RunCliOptions } from './shell.ts';
export { runAws, CLI_VERSION, type AwsContext, type CliCall, type CommandResult } from './aws.ts';
export { complete, completeAt, type Completion, type CompletionContext } from './complete.ts';
export { MemoryFs, normalizePath } from './fs.ts';
export type { VirtualFs, BinaryFormat } from './args.ts';
export { tokenize, lex, ShellSyntaxError } from './tokenize.ts';
export { parseShorthand } from './shorthand.ts';
export { cliServices, kebab, type CliCommand, type CliService, type CliArgument } from './services.ts';
export {
  formatJson,
  formatText,
  formatTable,
  formatYaml,
  isoTimestamp,
  toDocument,
  type OutputFormat,
} from './format.ts';
export { commandHelp, serviceHelp, topHelp } from './help.ts';
