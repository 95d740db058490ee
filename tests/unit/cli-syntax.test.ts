/** The CLI's pieces: tokenizer, shorthand parser, kebab names and formatters. */
import { describe, expect, it } from 'vitest';
import {
  cliServices,
  formatTable,
  formatText,
  isoTimestamp,
  kebab,
  parseShorthand,
  tokenize,
} from '../../src/cli/index.ts';

describe('tokenize', () => {
  it('handles quotes, escapes and line continuations', () => {
    expect(tokenize(`aws kms encrypt --key-id 'a b' --x "c \\"d\\" $HOME" e\\ f \\\n --g h`)).toEqual([
      'aws',
      'kms',
      'encrypt',
      '--key-id',
      'a b',
      '--x',
      'c "d" $HOME',
      'e f',
      '--g',
      'h',
    ]);
    expect(tokenize(`--encryption-context '{"a": "b"}' ""`)).toEqual([
      '--encryption-context',
      '{"a": "b"}',
      '',
    ]);
    expect(tokenize('a | b > f')).toEqual(['a', '|', 'b', '>', 'f']);
    expect(tokenize('a 2>/dev/null')).toEqual(['a', '2>', '/dev/null']);
    expect(() => tokenize("echo 'oops")).toThrow(/unexpected EOF/);
  });
});

describe('shorthand', () => {
  it('parses key=value pairs, csv lists, explicit lists and hashes', () => {
    expect(parseShorthand('TagKey=a,TagValue=b')).toEqual({ TagKey: 'a', TagValue: 'b' });
    expect(parseShorthand('k=a,b,c,d=e')).toEqual({ k: ['a', 'b', 'c'], d: 'e' });
    expect(parseShorthand('k=[a,b],h={x=1,y=[2]}')).toEqual({ k: ['a', 'b'], h: { x: '1', y: ['2'] } });
    expect(parseShorthand(`k="a,b",v='c=d',w=x\\,y`)).toEqual({ k: 'a,b', v: 'c=d', w: 'x,y' });
    expect(parseShorthand('aws:cf:stack=name/with:colon')).toEqual({ 'aws:cf:stack': 'name/with:colon' });
    expect(() => parseShorthand('TagKey,TagValue=b')).toThrow("Expected: '=', received: ','");
  });
});

describe('names', () => {
  it('derives the CLI names from the registry like xform_name', () => {
    expect(kebab('GenerateDataKeyWithoutPlaintext')).toBe('generate-data-key-without-plaintext');
    expect(kebab('ReEncrypt')).toBe('re-encrypt');
    expect(kebab('BypassPolicyLockoutSafetyCheck')).toBe('bypass-policy-lockout-safety-check');
    const kms = cliServices().get('kms')!;
    expect(kms.commands.get('generate-data-key-without-plaintext')?.operation).toBe(
      'GenerateDataKeyWithoutPlaintext',
    );
    expect(kms.commands.get('create-key')?.args.map((a) => a.cliName)).toContain('--multi-region');
    expect(cliServices().get('iam')?.commands.get('create-user')?.operation).toBe('CreateUser');
  });
});

describe('formatters', () => {
  it('prints timestamps as Python isoformat', () => {
    expect(isoTimestamp(new Date('2026-11-28T10:00:00.123Z'))).toBe('2026-11-28T10:00:00.123000+00:00');
    expect(isoTimestamp(new Date('2026-11-28T10:00:00Z'))).toBe('2026-11-28T10:00:00+00:00');
  });

  it('text: sorted scalars first, identifiers for nested lists', () => {
    expect(
      formatText({
        Truncated: false,
        Keys: [
          { KeyId: '1', KeyArn: 'a1' },
          { KeyId: '2', KeyArn: 'a2' },
        ],
      }),
    ).toBe('False\nKEYS\ta1\t1\nKEYS\ta2\t2\n');
    expect(formatText(['a', 'b'])).toBe('a\tb\n');
    expect(formatText({ Names: ['x', 'y'] })).toBe('NAMES\tx\nNAMES\ty\n');
  });

  it('table: the boxed layout of awscli/table.py', () => {
    expect(formatTable('ListAliases', { Aliases: [{ AliasName: 'alias/a', TargetKeyId: 'k1' }] }, 200)).toBe(
      [
        '--------------------------------',
        '|          ListAliases         |',
        '+------------------------------+',
        '||           Aliases          ||',
        '|+------------+---------------+|',
        '||  AliasName |  TargetKeyId  ||',
        '|+------------+---------------+|',
        '||  alias/a   |  k1           ||',
        '|+------------+---------------+|',
        '',
      ].join('\n'),
    );
  });
});
