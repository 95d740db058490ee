/**
 * Aliases, tags and key policies (kms-api.md §2.5, §2.7, §2.8, §12, §14): the naming rules, the
 * per-key limits, the listing shapes and the default key policy, with AWS's errors — and no change
 * to the world when a request is refused.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createKms, KmsError, MemoryStore, rootPrincipal, type Kms } from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const aliasArnOf = (name: string, region = REGION) => `arn:aws:kms:${region}:${ACCOUNT}:${name}`;

async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

let kms: Kms;
let key: { id: string; arn: string };
let other: { id: string; arn: string };

const newKey = async (input = {}) => {
  const { KeyMetadata } = await kms.call('CreateKey', input);
  return { id: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
};

const world = async () => {
  const s = await kms.snapshot();
  return { keys: s.keys, aliases: s.aliases };
};

/** Expects the call to fail with `code` (and `message`, when AWS's wording is known) and change nothing. */
async function refused(p: () => Promise<unknown>, code: string, message?: string) {
  const before = await world();
  const e = await rejection(p());
  expect(e.name).toBe(code);
  if (message !== undefined) expect(e.message).toBe(message);
  expect(await world()).toEqual(before);
}

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
  key = await newKey();
  other = await newKey();
});

describe('aliases', () => {
  it('lists a new alias with its ARN, target key ID and dates', async () => {
    await kms.advanceClock(3600);
    await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: key.arn });
    const { Aliases: listed, Truncated } = await kms.call('ListAliases', {});
    // Predefined alias/aws/* aliases (no target until first use) are listed too (see awsManagedKeys.test.ts).
    const Aliases = listed!.filter((a) => !a.AliasName!.startsWith('alias/aws/'));
    const at = new Date(START.getTime() + 3_600_000);
    expect(Aliases).toEqual([
      {
        AliasName: 'alias/app',
        AliasArn: aliasArnOf('alias/app'),
        TargetKeyId: key.id,
        CreationDate: at,
        LastUpdatedDate: at,
      },
    ]);
    expect(Truncated).toBe(false);
  });

  it('requires the alias/ prefix', async () => {
    for (const name of ['app', 'aliasapp', 'Alias/app'])
      await refused(
        () => kms.call('CreateAlias', { AliasName: name, TargetKeyId: key.id }),
        'ValidationException',
        'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
      );
  });

  it('reserves the alias/aws/ prefix for AWS managed keys', async () => {
    await refused(
      () => kms.call('CreateAlias', { AliasName: 'alias/aws/s3', TargetKeyId: key.id }),
      'NotAuthorizedException',
    );
    // Only the exact prefix is reserved.
    await kms.call('CreateAlias', { AliasName: 'alias/awsome', TargetKeyId: key.id });
  });

  it('refuses a name that is already taken, whatever it points to', async () => {
    await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: key.id });
    for (const target of [key.id, other.id])
      await refused(
        () => kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: target }),
        'AlreadyExistsException',
        `An alias with the name ${aliasArnOf('alias/app')} already exists`,
      );
  });

  it('treats names as case-sensitive and Regional', async () => {
    await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: key.id });
    await kms.call('CreateAlias', { AliasName: 'alias/App', TargetKeyId: other.id });
    const west = { principal: rootPrincipal(ACCOUNT), region: 'us-west-2' };
    const { KeyMetadata } = await kms.call('CreateKey', {}, west);
    await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: KeyMetadata!.KeyId! }, west);
    const east = (await kms.call('ListAliases', {})).Aliases!.filter((a) => a.TargetKeyId);
    expect(Object.fromEntries(east.map((a) => [a.AliasName, a.TargetKeyId]))).toEqual({
      'alias/App': other.id,
      'alias/app': key.id,
    });
    const westAliases = (await kms.call('ListAliases', {}, west)).Aliases!.filter((a) => a.TargetKeyId);
    expect(westAliases.map((a) => a.AliasArn)).toEqual([aliasArnOf('alias/app', 'us-west-2')]);
  });

  it('allows 50 aliases per key, not 51', async () => {
    for (let i = 0; i < 50; i++)
      await kms.call('CreateAlias', { AliasName: `alias/a${i}`, TargetKeyId: key.id });
    await refused(
      () => kms.call('CreateAlias', { AliasName: 'alias/a50', TargetKeyId: key.id }),
      'LimitExceededException',
    );
    await kms.call('CreateAlias', { AliasName: 'alias/a50', TargetKeyId: other.id });
  });

  it('UpdateAlias points an alias at another key, keeping its CreationDate', async () => {
    await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: key.id });
    await kms.advanceClock(60);
    await kms.call('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: other.id });
    const [entry] = (await kms.call('ListAliases', {})).Aliases!;
    expect(entry).toMatchObject({
      TargetKeyId: other.id,
      CreationDate: START,
      LastUpdatedDate: new Date(START.getTime() + 60_000),
    });
    const enc = await kms.call('Encrypt', { KeyId: 'alias/app', Plaintext: new Uint8Array([1]) });
    expect(enc.KeyId).toBe(other.arn);
  });

  it('UpdateAlias and DeleteAlias refuse an alias that does not exist', async () => {
    const message = `Alias ${aliasArnOf('alias/nope')} is not found.`;
    await refused(
      () => kms.call('UpdateAlias', { AliasName: 'alias/nope', TargetKeyId: key.id }),
      'NotFoundException',
      message,
    );
    await refused(() => kms.call('DeleteAlias', { AliasName: 'alias/nope' }), 'NotFoundException', message);
  });

  it('DeleteAlias removes the alias and leaves the key', async () => {
    await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: key.id });
    await kms.call('DeleteAlias', { AliasName: 'alias/app' });
    expect((await kms.call('ListAliases', {})).Aliases!.filter((a) => a.TargetKeyId)).toEqual([]);
    expect((await kms.call('DescribeKey', { KeyId: key.id })).KeyMetadata!.KeyState).toBe('Enabled');
    await refused(() => kms.call('DeleteAlias', { AliasName: 'alias/app' }), 'NotFoundException');
  });

  it('ListAliases filters by key and pages with Limit and Marker', async () => {
    for (const n of ['c', 'a', 'e', 'b', 'd'])
      await kms.call('CreateAlias', { AliasName: `alias/${n}`, TargetKeyId: key.id });
    await kms.call('CreateAlias', { AliasName: 'alias/other', TargetKeyId: other.id });

    const forOther = await kms.call('ListAliases', { KeyId: other.arn });
    expect(forOther.Aliases!.map((a) => a.AliasName)).toEqual(['alias/other']);

    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await kms.call('ListAliases', { KeyId: key.id, Limit: 2, Marker: marker });
      pages++;
      expect(page.Aliases!.length).toBeLessThanOrEqual(2);
      names.push(...page.Aliases!.map((a) => a.AliasName!));
      expect(page.Truncated).toBe(page.NextMarker !== undefined);
      marker = page.NextMarker;
    } while (marker);
    expect(pages).toBe(3);
    expect(names).toEqual(['alias/a', 'alias/b', 'alias/c', 'alias/d', 'alias/e']);

    await refused(() => kms.call('ListAliases', { Marker: 'not-a-marker' }), 'InvalidMarkerException');
  });
});

describe('tags', () => {
  const tagsOf = async (id = key.id) => (await kms.call('ListResourceTags', { KeyId: id })).Tags;

  it('takes tags at CreateKey and lists them', async () => {
    const k = await newKey({
      Tags: [
        { TagKey: 'team', TagValue: 'blue' },
        { TagKey: 'cost', TagValue: '' },
      ],
    });
    expect(await kms.call('ListResourceTags', { KeyId: k.id })).toEqual({
      Tags: [
        { TagKey: 'team', TagValue: 'blue' },
        { TagKey: 'cost', TagValue: '' },
      ],
      Truncated: false,
    });
  });

  it('TagResource adds tags and replaces the value of an existing key', async () => {
    await kms.call('TagResource', { KeyId: key.id, Tags: [{ TagKey: 'env', TagValue: 'dev' }] });
    await kms.call('TagResource', {
      KeyId: key.arn,
      Tags: [
        { TagKey: 'env', TagValue: 'prod' },
        { TagKey: 'owner', TagValue: 'alice' },
      ],
    });
    expect(await tagsOf()).toEqual([
      { TagKey: 'env', TagValue: 'prod' },
      { TagKey: 'owner', TagValue: 'alice' },
    ]);
  });

  it('reserves the aws: prefix', async () => {
    await refused(
      () => kms.call('TagResource', { KeyId: key.id, Tags: [{ TagKey: 'aws:createdBy', TagValue: 'x' }] }),
      'TagException',
      'Tags beginning with aws: are reserved',
    );
    const before = kms.keys().length;
    await refused(
      () => kms.call('CreateKey', { Tags: [{ TagKey: 'aws:x', TagValue: 'y' }] }),
      'TagException',
      'Tags beginning with aws: are reserved',
    );
    expect(kms.keys()).toHaveLength(before);
  });

  it('refuses duplicate keys in one request', async () => {
    await refused(
      () =>
        kms.call('TagResource', {
          KeyId: key.id,
          Tags: [
            { TagKey: 'k', TagValue: '1' },
            { TagKey: 'k', TagValue: '2' },
          ],
        }),
      'TagException',
      'Duplicate tag keys',
    );
  });

  it('allows 50 tags per key, not 51', async () => {
    const tags = (n: number, prefix = 't') =>
      Array.from({ length: n }, (_, i) => ({ TagKey: `${prefix}${i}`, TagValue: 'v' }));
    await refused(
      () => kms.call('TagResource', { KeyId: key.id, Tags: tags(51) }),
      'TagException',
      'Too many tags',
    );
    await refused(() => kms.call('CreateKey', { Tags: tags(51) }), 'TagException', 'Too many tags');
    await kms.call('TagResource', { KeyId: key.id, Tags: tags(50) });
    await refused(
      () => kms.call('TagResource', { KeyId: key.id, Tags: [{ TagKey: 'one-more', TagValue: 'v' }] }),
      'TagException',
      'Too many tags',
    );
    // Replacing values keeps the count at 50.
    await kms.call('TagResource', { KeyId: key.id, Tags: [{ TagKey: 't0', TagValue: 'new' }] });
    expect(await tagsOf()).toHaveLength(50);
  });

  it('UntagResource removes the named tags and ignores unknown keys', async () => {
    await kms.call('TagResource', {
      KeyId: key.id,
      Tags: [
        { TagKey: 'a', TagValue: '1' },
        { TagKey: 'b', TagValue: '2' },
      ],
    });
    await kms.call('UntagResource', { KeyId: key.id, TagKeys: ['a', 'never-there'] });
    expect(await tagsOf()).toEqual([{ TagKey: 'b', TagValue: '2' }]);
    expect(await kms.call('UntagResource', { KeyId: key.id, TagKeys: ['never-there'] })).toEqual({});
    expect(await tagsOf()).toEqual([{ TagKey: 'b', TagValue: '2' }]);
  });

  it('tags are per key', async () => {
    await kms.call('TagResource', { KeyId: key.id, Tags: [{ TagKey: 'a', TagValue: '1' }] });
    expect(await tagsOf(other.id)).toEqual([]);
  });

  it('ListResourceTags pages with Limit and Marker', async () => {
    await kms.call('TagResource', {
      KeyId: key.id,
      Tags: ['a', 'b', 'c'].map((k) => ({ TagKey: k, TagValue: k })),
    });
    const first = await kms.call('ListResourceTags', { KeyId: key.id, Limit: 2 });
    expect(first.Tags!.map((t) => t.TagKey)).toEqual(['a', 'b']);
    expect(first.Truncated).toBe(true);
    const second = await kms.call('ListResourceTags', { KeyId: key.id, Limit: 2, Marker: first.NextMarker });
    expect(second).toEqual({ Tags: [{ TagKey: 'c', TagValue: 'c' }], Truncated: false });
  });
});

describe('key policies', () => {
  const DEFAULT_POLICY = `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`;

  /** A valid policy document of exactly `bytes` bytes. */
  const policyOfSize = (bytes: number) => {
    const head = '{"Version":"2012-10-17","Statement":[{"Sid":"';
    const tail = `","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${ACCOUNT}:root"},"Action":"kms:*","Resource":"*"}]}`;
    return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
  };

  it('gives a new key the default key policy, in AWS’s exact text', async () => {
    expect(await kms.call('GetKeyPolicy', { KeyId: key.id })).toEqual({
      Policy: DEFAULT_POLICY,
      PolicyName: 'default',
    });
    expect((await kms.call('GetKeyPolicy', { KeyId: key.arn, PolicyName: 'default' })).Policy).toBe(
      DEFAULT_POLICY,
    );
  });

  it('names the key’s own account in the default policy', async () => {
    const partner = { principal: rootPrincipal('444455556666'), region: REGION };
    const { KeyMetadata } = await kms.call('CreateKey', {}, partner);
    const { Policy } = await kms.call('GetKeyPolicy', { KeyId: KeyMetadata!.KeyId! }, partner);
    expect(Policy).toBe(DEFAULT_POLICY.replace('111122223333', '444455556666'));
  });

  it('has one policy, named default', async () => {
    expect(await kms.call('ListKeyPolicies', { KeyId: key.id })).toEqual({
      PolicyNames: ['default'],
      Truncated: false,
    });
    await refused(
      () => kms.call('GetKeyPolicy', { KeyId: key.id, PolicyName: 'other' }),
      'NotFoundException',
    );
  });

  it('PutKeyPolicy stores the document as given', async () => {
    const policy = policyOfSize(300);
    expect(await kms.call('PutKeyPolicy', { KeyId: key.id, Policy: policy })).toEqual({});
    expect((await kms.call('GetKeyPolicy', { KeyId: key.id })).Policy).toBe(policy);
    expect((await kms.call('GetKeyPolicy', { KeyId: other.id })).Policy).toBe(DEFAULT_POLICY);
  });

  it('CreateKey stores a given policy', async () => {
    const policy = policyOfSize(200);
    const k = await newKey({ Policy: policy });
    expect((await kms.call('GetKeyPolicy', { KeyId: k.id })).Policy).toBe(policy);
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['a JSON array', '[]'],
    ['a document without Statement', '{"Version":"2012-10-17"}'],
    [
      'a statement without Effect',
      '{"Statement":[{"Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}',
    ],
    ['a statement without Principal', '{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}'],
  ])('refuses %s with MalformedPolicyDocumentException', async (_label, policy) => {
    await refused(
      () => kms.call('PutKeyPolicy', { KeyId: key.id, Policy: policy }),
      'MalformedPolicyDocumentException',
    );
    const before = kms.keys().length;
    await refused(() => kms.call('CreateKey', { Policy: policy }), 'MalformedPolicyDocumentException');
    expect(kms.keys()).toHaveLength(before);
  });

  it('accepts a policy of exactly 32,768 bytes and refuses a longer one with LimitExceededException', async () => {
    const max = policyOfSize(32_768);
    expect(max).toHaveLength(32_768);
    await kms.call('PutKeyPolicy', { KeyId: key.id, Policy: max });
    expect((await kms.call('GetKeyPolicy', { KeyId: key.id })).Policy).toBe(max);
    await refused(
      () => kms.call('PutKeyPolicy', { KeyId: key.id, Policy: policyOfSize(32_769) }),
      'LimitExceededException',
    );
    await refused(() => kms.call('CreateKey', { Policy: policyOfSize(40_000) }), 'LimitExceededException');
  });

  it('refuses a policy over the model’s 131,072 characters as a constraint violation', async () => {
    const huge = policyOfSize(131_073);
    await refused(
      () => kms.call('PutKeyPolicy', { KeyId: key.id, Policy: huge }),
      'ValidationException',
      `1 validation error detected: Value '${huge}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 131072`,
    );
  });
});
