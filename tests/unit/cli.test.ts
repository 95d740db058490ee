/**
 * The AWS CLI command line (src/cli): `aws kms …` runs the same calls as the SDK, with the CLI
 * v2's parameter syntax, output formats, --query, errors, help and completion.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { complete, completeAt, MemoryFs, runCli, type RunCliOptions } from '../../src/cli/index.ts';
import { fromUtf8, toBase64, utf8 } from '../../src/cli/bytes.ts';
import { createKms, MemoryStore, type Kms } from '../../src/kms/index.ts';

let kms: Kms;
let fs: MemoryFs;
let env: Record<string, string>;
const opts = (): RunCliOptions => ({ kms, fs, env });
const aws = (line: string) => runCli(line, opts());

async function ok(line: string) {
  const r = await aws(line);
  expect(r.stderr, line).toBe('');
  expect(r.exitCode, line).toBe(0);
  return r;
}

async function newKey(extra = ''): Promise<string> {
  const r = await ok(`aws kms create-key ${extra} --query KeyMetadata.KeyId --output text`);
  await kms.advanceClock(1); // ListKeys orders keys by creation date
  return r.stdout.trim();
}

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: new Date('2026-11-28T10:00:00.123Z') });
  fs = new MemoryFs({ 'secret.txt': 'attack at dawn' });
  env = {};
});

describe('encrypt and decrypt through files', () => {
  it('create-key, encrypt fileb://, decode the blob, decrypt fileb://', async () => {
    const created = await ok('aws kms create-key --description "cli demo"');
    const meta = JSON.parse(created.stdout).KeyMetadata;
    expect(meta.Description).toBe('cli demo');
    expect(meta.CreationDate).toBe('2026-11-28T10:00:00.123000+00:00');
    expect(created.calls).toHaveLength(1);
    expect(created.calls[0]).toMatchObject({ service: 'kms', operation: 'CreateKey', region: 'us-east-1' });

    const enc = await ok(
      `aws kms encrypt --key-id ${meta.KeyId} --plaintext fileb://secret.txt --output text --query CiphertextBlob`,
    );
    const b64 = enc.stdout.trim();
    expect(b64).toMatch(/^[A-Za-z0-9+/]+=*$/);
    // The call carries the SDK's input: the file's bytes as a Uint8Array.
    expect(enc.calls[0]!.input.Plaintext).toEqual(utf8('attack at dawn'));

    // The docs' idiom: decode the text output into a binary file.
    await ok(`echo ${b64} | base64 --decode > ciphertext.bin`);
    const dec = await ok(
      'aws kms decrypt --ciphertext-blob fileb://ciphertext.bin --output text --query Plaintext',
    );
    expect(fromUtf8(Uint8Array.from(atob(dec.stdout.trim()), (c) => c.charCodeAt(0)))).toBe('attack at dawn');

    // And in one line, with the redirection on the aws command itself.
    await ok(
      `aws kms encrypt --key-id ${meta.KeyId} --plaintext fileb://secret.txt --output text --query CiphertextBlob | base64 -d > ct2.bin`,
    );
    const plain = await ok(
      'aws kms decrypt --ciphertext-blob fileb://ct2.bin --query Plaintext --output text | base64 -d',
    );
    expect(plain.stdout).toBe('attack at dawn');
    expect(plain.calls.map((c) => c.operation)).toEqual(['Decrypt']);
  });

  it('blob arguments take base64 by default and raw text with raw-in-base64-out', async () => {
    const id = await newKey();
    const r = await ok(`aws kms encrypt --key-id ${id} --plaintext ${toBase64(utf8('hi'))}`);
    const { CiphertextBlob, KeyId, EncryptionAlgorithm } = JSON.parse(r.stdout);
    expect(KeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    expect(EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    const d = await ok(`aws kms decrypt --ciphertext-blob ${CiphertextBlob} --query Plaintext --output text`);
    expect(d.stdout).toBe(`${toBase64(utf8('hi'))}\n`);

    const raw = await ok(
      `aws kms encrypt --key-id ${id} --plaintext "hello world" --cli-binary-format raw-in-base64-out --query CiphertextBlob --output text`,
    );
    const d2 = await ok(
      `aws kms decrypt --ciphertext-blob ${raw.stdout.trim()} --query Plaintext --output text | base64 -d`,
    );
    expect(d2.stdout).toBe('hello world');

    const bad = await aws(`aws kms encrypt --key-id ${id} --plaintext "hello world"`);
    expect(bad.exitCode).toBe(255);
    expect(bad.stderr).toBe('\nInvalid base64: "hello world"\n');
    expect(bad.calls).toEqual([]);
  });

  it('file:// reads text (base64 for blobs), fileb:// raw bytes; missing files are the CLI error', async () => {
    const id = await newKey();
    fs.write('p.b64', utf8(`${toBase64(utf8('from text file'))}\n`));
    const r = await ok(
      `aws kms encrypt --key-id ${id} --plaintext file://p.b64 --query CiphertextBlob --output text`,
    );
    const d = await ok(
      `aws kms decrypt --ciphertext-blob ${r.stdout.trim()} --output text --query Plaintext | base64 -d`,
    );
    expect(d.stdout).toBe('from text file');

    const missing = await aws(`aws kms encrypt --key-id ${id} --plaintext fileb://nope.txt`);
    expect(missing.exitCode).toBe(255);
    expect(missing.stderr).toBe(
      "\nError parsing parameter '--plaintext': Unable to load paramfile fileb://nope.txt: [Errno 2] No such file or directory: 'nope.txt'\n",
    );
  });

  it('encryption context: shorthand and JSON, checked on decrypt', async () => {
    const id = await newKey();
    const enc = await ok(
      `aws kms encrypt --key-id ${id} --plaintext fileb://secret.txt --encryption-context purpose=test,dept=it --query CiphertextBlob --output text`,
    );
    expect(enc.calls[0]!.input.EncryptionContext).toEqual({ purpose: 'test', dept: 'it' });
    const ct = enc.stdout.trim();
    const good = await ok(
      `aws kms decrypt --ciphertext-blob ${ct} --encryption-context '{"dept": "it", "purpose": "test"}' --query KeyId --output text`,
    );
    expect(good.stdout).toContain(id);
    const wrong = await aws(
      `aws kms decrypt --ciphertext-blob ${ct} --encryption-context purpose=prod,dept=it`,
    );
    expect(wrong.exitCode).toBe(254);
    expect(wrong.stderr).toBe(
      '\nAn error occurred (InvalidCiphertextException) when calling the Decrypt operation: \n',
    );
    expect(wrong.calls[0]!.error).toEqual({ code: 'InvalidCiphertextException', message: '' });
  });
});

describe('parameters', () => {
  it('tags: shorthand list of structures and JSON, tag-keys list', async () => {
    const id = await newKey('--tags TagKey=env,TagValue=dev TagKey=team,TagValue=crypto');
    const tags = JSON.parse((await ok(`aws kms list-resource-tags --key-id ${id}`)).stdout).Tags;
    expect(tags).toEqual([
      { TagKey: 'env', TagValue: 'dev' },
      { TagKey: 'team', TagValue: 'crypto' },
    ]);
    await ok(`aws kms tag-resource --key-id ${id} --tags '[{"TagKey":"cost","TagValue":"42"}]'`);
    await ok(`aws kms untag-resource --key-id ${id} --tag-keys env team`);
    const t = await ok(`aws kms list-resource-tags --key-id ${id} --query 'Tags[].TagKey' --output text`);
    expect(t.stdout).toBe('cost\n');
  });

  it('booleans, integers, enums and --opt=value', async () => {
    const r = await ok(
      'aws kms create-key --multi-region --key-spec=HMAC_256 --key-usage GENERATE_VERIFY_MAC --query KeyMetadata.[KeyId,MultiRegion,KeySpec] --output text',
    );
    const [id, multi, spec] = r.stdout.trim().split('\t');
    expect(id).toMatch(/^mrk-/);
    expect(multi).toBe('True');
    expect(spec).toBe('HMAC_256');
    expect(r.calls[0]!.input).toEqual({
      MultiRegion: true,
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    });
    const single = await aws('aws kms create-key --no-multi-region --output json');
    expect(single.calls[0]!.input).toEqual({ MultiRegion: false });
    const rnd = await ok(
      'aws kms generate-random --number-of-bytes 16 --query Plaintext --output text | base64 -d',
    );
    expect(utf8(rnd.stdout).length).toBeGreaterThan(0);
    expect(rnd.calls[0]!.input).toEqual({ NumberOfBytes: 16 });
  });

  it('grant tokens as several values', async () => {
    const id = await newKey();
    const r = await aws(`aws kms describe-key --key-id ${id} --grant-tokens tokenA tokenB`);
    expect(r.calls[0]!.input.GrantTokens).toEqual(['tokenA', 'tokenB']);
  });

  it('--cli-input-json and --generate-cli-skeleton', async () => {
    const id = await newKey();
    fs.write(
      'in.json',
      utf8(JSON.stringify({ KeyId: id, Plaintext: toBase64(utf8('x')), EncryptionContext: { a: 'b' } })),
    );
    const r = await ok('aws kms encrypt --cli-input-json file://in.json --query KeyId --output text');
    expect(r.calls[0]!.input).toEqual({ KeyId: id, Plaintext: utf8('x'), EncryptionContext: { a: 'b' } });
    const sk = await ok('aws kms encrypt --generate-cli-skeleton');
    expect(JSON.parse(sk.stdout)).toMatchObject({
      KeyId: '',
      Plaintext: null,
      EncryptionContext: { KeyName: '' },
    });
    expect(sk.calls).toEqual([]);
  });

  it('--region picks the Region the call goes to', async () => {
    const id = await newKey('--region eu-west-1');
    const r = await ok(
      `aws kms describe-key --key-id ${id} --region eu-west-1 --query KeyMetadata.Arn --output text`,
    );
    expect(r.stdout).toContain('arn:aws:kms:eu-west-1:');
    expect(r.calls[0]!.region).toBe('eu-west-1');
    const elsewhere = await aws(`aws kms describe-key --key-id ${id}`);
    expect(elsewhere.exitCode).toBe(254);
    expect(elsewhere.stderr).toContain('(NotFoundException) when calling the DescribeKey operation');
  });
});

describe('output', () => {
  it('list-keys with --query, text and table output', async () => {
    const a = await newKey();
    const b = await newKey();
    const ids = await ok("aws kms list-keys --query 'Keys[].KeyId' --output text");
    expect(ids.stdout).toBe(`${a}\t${b}\n`);
    const json = await ok("aws kms list-keys --query 'Keys[0].KeyId'");
    expect(json.stdout).toBe(`"${a}"\n`);
    const text = await ok('aws kms list-keys --output text');
    expect(text.stdout.split('\n')[0]).toBe(`KEYS\tarn:aws:kms:us-east-1:111122223333:key/${a}\t${a}`);
    const table = await ok('aws kms list-keys --output table --query "Keys[].{Id: KeyId}"');
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^-+$/);
    expect(lines[1]).toMatch(/^\|\s+ListKeys\s+\|$/);
    expect(lines[2]).toMatch(/^\+-+\+$/);
    expect(lines.some((l) => l.includes(`|  ${a}  |`))).toBe(true);
    for (const l of lines) expect(l.length).toBe(lines[0]!.length);
  });

  it('table output nests sections and turns vertical when too wide', async () => {
    const id = await newKey('--description demo');
    const r = await ok(`aws kms describe-key --key-id ${id} --output table`);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[1]).toContain('DescribeKey');
    expect(lines[3]).toMatch(/^\|\|\s+KeyMetadata\s+\|\|$/);
    expect(r.stdout).toMatch(/\|\|\s+Description\s+\|\s+demo\s+\|\|/);
    expect(r.stdout).toMatch(/\|\|\|\s+EncryptionAlgorithms\s+\|\|\|/);
    for (const l of lines) expect(l.length).toBe(lines[0]!.length);
    const wide = await runCli(`aws kms describe-key --key-id ${id} --output table`, {
      ...opts(),
      columns: 1000,
    });
    expect(wide.stdout).toMatch(/\|\| +AWSAccountId +\| +Arn +\|/);
  });

  it('empty responses print nothing; null queries print null / None', async () => {
    const id = await newKey();
    const r = await ok(`aws kms enable-key-rotation --key-id ${id}`);
    expect(r.stdout).toBe('');
    expect((await ok(`aws kms describe-key --key-id ${id} --query Nope`)).stdout).toBe('null\n');
    expect((await ok(`aws kms describe-key --key-id ${id} --query Nope --output text`)).stdout).toBe(
      'None\n',
    );
  });

  it('paginates like the CLI, with --max-items and --starting-token', async () => {
    const keys = [await newKey(), await newKey(), await newKey()];
    const all = await ok('aws kms list-keys --page-size 1');
    expect(JSON.parse(all.stdout).Keys.map((k: { KeyId: string }) => k.KeyId)).toEqual(keys);
    expect(all.calls).toHaveLength(3);
    expect(JSON.parse(all.stdout).Truncated).toBeUndefined();
    const first = JSON.parse((await ok('aws kms list-keys --max-items 2')).stdout);
    expect(first.Keys).toHaveLength(2);
    const rest = JSON.parse((await ok(`aws kms list-keys --starting-token ${first.NextToken}`)).stdout);
    expect(rest.Keys.map((k: { KeyId: string }) => k.KeyId)).toEqual([keys[2]]);
    const raw = JSON.parse((await ok('aws kms list-keys --limit 1')).stdout);
    expect(raw.Truncated).toBe(true);
    expect(raw.NextMarker).toBeTypeOf('string');
  });
});

describe('errors', () => {
  const usage = 'usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]';

  it('missing required arguments', async () => {
    const r = await aws('aws kms encrypt');
    expect(r.exitCode).toBe(252);
    expect(r.stderr.startsWith(usage)).toBe(true);
    expect(
      r.stderr.endsWith('\naws: error: the following arguments are required: --key-id, --plaintext\n'),
    ).toBe(true);
    expect(r.calls).toEqual([]);
  });

  it('unknown options', async () => {
    const r = await aws('aws kms list-keys --foo bar');
    expect(r.exitCode).toBe(252);
    expect(r.stderr).toContain('\n\nUnknown options: --foo, bar\n');
  });

  it('invalid choices for commands and --output', async () => {
    const r = await aws('aws kms encryptt');
    expect(r.stderr).toContain('aws: error: argument operation: Invalid choice, valid choices are:');
    expect(r.stderr).toContain("Invalid choice: 'encryptt', maybe you meant:");
    expect(r.stderr).toContain('  * encrypt');
    const o = await aws('aws kms list-keys --output xml');
    expect(o.stderr).toContain('aws: error: argument --output: Invalid choice, valid choices are:');
    const s = await aws('aws s3 ls');
    expect(s.stderr).toContain('aws: error: argument command: Invalid choice');
  });

  it('the service exception line', async () => {
    const r = await aws('aws kms encrypt --key-id x --plaintext aGk=');
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toBe(
      "\nAn error occurred (NotFoundException) when calling the Encrypt operation: Invalid keyId 'x'\n",
    );
    expect(r.calls).toEqual([
      expect.objectContaining({
        operation: 'Encrypt',
        error: { code: 'NotFoundException', message: "Invalid keyId 'x'" },
      }),
    ]);
  });

  it("botocore's client-side validation and shorthand errors", async () => {
    const r = await aws('aws kms create-key --tags TagKey=a Key=b,Value=c');
    expect(r.exitCode).toBe(252);
    expect(r.stderr).toBe(
      '\nParameter validation failed:\nMissing required parameter in Tags[0]: "TagValue"\nMissing required parameter in Tags[1]: "TagKey"\nMissing required parameter in Tags[1]: "TagValue"\nUnknown parameter in Tags[1]: "Key", must be one of: TagKey, TagValue\nUnknown parameter in Tags[1]: "Value", must be one of: TagKey, TagValue\n',
    );
    const sh = await aws('aws kms encrypt --key-id k --plaintext aGk= --encryption-context foo');
    expect(sh.stderr).toBe(
      "\nError parsing parameter '--encryption-context': Expected: '=', received: 'EOF' for input:\nfoo\n   ^\n",
    );
    const json = await aws(`aws kms encrypt --key-id k --plaintext aGk= --encryption-context '{"a":}'`);
    expect(json.stderr).toContain("Error parsing parameter '--encryption-context': Invalid JSON:");
    const expect1 = await aws('aws kms describe-key --key-id');
    expect(expect1.stderr).toContain('aws: error: argument --key-id: expected one argument');
    const min = await aws('aws kms describe-key --key-id ""');
    expect(min.stderr).toContain('Invalid length for parameter KeyId, value: 0, valid min length: 1');
  });

  it('shell errors', async () => {
    expect((await aws('aws kms list-keys | frobnicate')).stderr).toContain('frobnicate: command not found');
    const q = await aws('aws kms list-keys --query "Keys[0');
    expect(q.exitCode).toBe(2);
    expect(q.stderr).toContain('unexpected EOF');
  });
});

describe('help', () => {
  it('aws kms help lists the commands', async () => {
    const r = await ok('aws kms help');
    expect(r.stdout).toContain('AVAILABLE COMMANDS');
    expect(r.stdout).toContain('o generate-data-key-without-plaintext');
    expect(r.stdout).toContain('o create-key');
  });

  it('aws kms <command> help shows required and optional options with enum values', async () => {
    const r = await ok('aws kms encrypt help');
    expect(r.stdout).toContain('SYNOPSIS');
    expect(r.stdout).toMatch(/\n {10}--key-id <value>\n {10}--plaintext <value>\n/);
    expect(r.stdout).toContain('[--encryption-context <value>]');
    expect(r.stdout).toContain('[--dry-run | --no-dry-run]');
    expect(r.stdout).toContain('o RSAES_OAEP_SHA_256');
    expect(r.stdout).toContain('KeyName1=string,KeyName2=string');
    const tags = await ok('aws kms create-key help');
    expect(tags.stdout).toContain('TagKey=string,TagValue=string ...');
    expect(tags.stdout).toContain('[--multi-region | --no-multi-region]');
    expect((await ok('aws kms list-keys help')).stdout).toContain('[--max-items <value>]');
  });

  it('aws help and --version', async () => {
    expect((await ok('aws help')).stdout).toContain('o kms');
    expect((await ok('aws --version')).stdout).toMatch(/^aws-cli\/2\./);
  });
});

describe('completion', () => {
  it('completes commands, options, enum values, Regions and keys', async () => {
    expect(complete('')).toContain('aws');
    expect(complete('aws k')).toEqual(['kms']);
    expect(complete('aws kms generate-data-key-w')).toEqual(['generate-data-key-without-plaintext']);
    const opts1 = complete('aws kms encrypt --');
    expect(opts1.slice(0, 2)).toEqual(['--key-id', '--plaintext']);
    expect(opts1).toContain('--encryption-context');
    expect(opts1).toContain('--query');
    expect(complete('aws kms encrypt --key-id k --')).not.toContain('--key-id');
    expect(complete('aws kms create-key --key-spec RSA_')).toEqual(['RSA_2048', 'RSA_3072', 'RSA_4096']);
    expect(complete('aws kms list-keys --output t')).toEqual(['text', 'table']);
    expect(complete('aws kms list-keys --region eu-')).toEqual(['eu-west-1']);
    expect(complete('aws kms create-key --multi')).toEqual(['--multi-region']);
    const id = await newKey();
    await ok(`aws kms create-alias --alias-name alias/app --target-key-id ${id}`);
    expect(complete('aws kms describe-key --key-id ', { kms })).toEqual(
      expect.arrayContaining([id, 'alias/app']),
    );
    expect(complete('aws kms encrypt --key-id k --plaintext fileb://s', { fs })).toEqual([
      'fileb://secret.txt',
    ]);
    const at = completeAt('aws kms enc');
    expect(at).toEqual({ start: 8, end: 11, candidates: ['encrypt'] });
  });
});

describe('the shell around aws', () => {
  it('variables and command substitution', async () => {
    await ok('KEY_ID=$(aws kms create-key --query KeyMetadata.KeyId --output text)');
    expect(env.KEY_ID).toMatch(/^[0-9a-f-]{36}$/);
    const r = await ok('aws kms describe-key --key-id "$KEY_ID" --query KeyMetadata.KeyState --output text');
    expect(r.stdout).toBe('Enabled\n');
  });

  it('line continuations and quoting', async () => {
    const id = await newKey();
    const r = await ok(
      `aws kms encrypt \\\n    --key-id ${id} \\\n    --plaintext fileb://secret.txt \\\n    --encryption-context "app=my app" \\\n    --output text --query KeyId`,
    );
    expect(r.calls[0]!.input.EncryptionContext).toEqual({ app: 'my app' });
  });
});
