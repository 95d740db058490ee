/**
 * KeyId resolution (kms-api.md §1, §5): operations marked A take a key ID, key ARN, alias name or
 * alias ARN; operations marked K take a key ID or key ARN only. Each failure has AWS's exception
 * and message; cross-account use needs an ARN.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createKms,
  KmsError,
  MemoryStore,
  rootPrincipal,
  type CallerContext,
  type Kms,
} from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');
const ACCOUNT = '111122223333';
const PARTNER = '444455556666';
const REGION = 'us-east-1';
const partner: CallerContext = { principal: rootPrincipal(PARTNER), region: REGION };
const westCaller: CallerContext = { principal: rootPrincipal(ACCOUNT), region: 'us-west-2' };

async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

async function expectError(p: Promise<unknown>, code: string, message: string) {
  const e = await rejection(p);
  expect({ name: e.name, code: e.code, message: e.message }).toEqual({ name: code, code, message });
}

let kms: Kms;
let keyId: string;
let arn: string;
const aliasName = 'alias/app';
const aliasArn = `arn:aws:kms:${REGION}:${ACCOUNT}:${aliasName}`;

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
  const { KeyMetadata } = await kms.call('CreateKey', {});
  keyId = KeyMetadata!.KeyId!;
  arn = KeyMetadata!.Arn!;
  await kms.call('CreateAlias', { AliasName: aliasName, TargetKeyId: keyId });
});

const forms = () =>
  [
    ['key ID', keyId],
    ['key ARN', arn],
    ['alias name', aliasName],
    ['alias ARN', aliasArn],
  ] as const;

describe('identifiers', () => {
  it('makes UUID key IDs and key ARNs of the caller account and Region', () => {
    expect(keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(arn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`);
  });

  it('makes mrk- key IDs for multi-Region keys, which resolve like any other', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', { MultiRegion: true });
    expect(KeyMetadata!.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: KeyMetadata!.KeyId! });
    expect(m!.Arn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${KeyMetadata!.KeyId}`);
  });
});

describe('operations that accept all four forms (A)', () => {
  it('DescribeKey resolves each form to the key', async () => {
    for (const [, ref] of forms()) {
      const { KeyMetadata } = await kms.call('DescribeKey', { KeyId: ref });
      expect(KeyMetadata!.KeyId).toBe(keyId);
      expect(KeyMetadata!.Arn).toBe(arn);
    }
  });

  it('Encrypt, GenerateDataKey*, Decrypt and ReEncrypt resolve each form and answer the key ARN', async () => {
    const plaintext = new Uint8Array([7, 7, 7]);
    for (const [form, ref] of forms()) {
      const enc = await kms.call('Encrypt', { KeyId: ref, Plaintext: plaintext });
      expect(enc.KeyId, form).toBe(arn);
      const gdk = await kms.call('GenerateDataKey', { KeyId: ref, NumberOfBytes: 16 });
      expect(gdk.KeyId, form).toBe(arn);
      const gdkwp = await kms.call('GenerateDataKeyWithoutPlaintext', { KeyId: ref, KeySpec: 'AES_128' });
      expect(gdkwp.KeyId, form).toBe(arn);
      const dec = await kms.call('Decrypt', { CiphertextBlob: enc.CiphertextBlob!, KeyId: ref });
      expect(dec.KeyId, form).toBe(arn);
      expect(dec.Plaintext, form).toEqual(plaintext);
      const re = await kms.call('ReEncrypt', {
        CiphertextBlob: enc.CiphertextBlob!,
        SourceKeyId: ref,
        DestinationKeyId: ref,
      });
      expect([re.SourceKeyId, re.KeyId], form).toEqual([arn, arn]);
    }
  });

  it('follows an alias to its current target', async () => {
    const { KeyMetadata: other } = await kms.call('CreateKey', {});
    await kms.call('UpdateAlias', { AliasName: aliasName, TargetKeyId: other!.KeyId! });
    const enc = await kms.call('Encrypt', { KeyId: aliasArn, Plaintext: new Uint8Array([1]) });
    expect(enc.KeyId).toBe(other!.Arn);
  });
});

describe('operations that take a key ID or key ARN only (K)', () => {
  type Call = (ref: string) => Promise<unknown>;
  let aliasCount = 0;
  const kOnly: [string, Call][] = [
    ['EnableKey', (ref) => kms.call('EnableKey', { KeyId: ref })],
    ['DisableKey', (ref) => kms.call('DisableKey', { KeyId: ref })],
    ['UpdateKeyDescription', (ref) => kms.call('UpdateKeyDescription', { KeyId: ref, Description: 'x' })],
    ['GetKeyLastUsage', (ref) => kms.call('GetKeyLastUsage', { KeyId: ref })],
    ['TagResource', (ref) => kms.call('TagResource', { KeyId: ref, Tags: [{ TagKey: 'a', TagValue: 'b' }] })],
    ['UntagResource', (ref) => kms.call('UntagResource', { KeyId: ref, TagKeys: ['a'] })],
    ['ListResourceTags', (ref) => kms.call('ListResourceTags', { KeyId: ref })],
    ['GetKeyPolicy', (ref) => kms.call('GetKeyPolicy', { KeyId: ref })],
    ['ListKeyPolicies', (ref) => kms.call('ListKeyPolicies', { KeyId: ref })],
    ['ListAliases', (ref) => kms.call('ListAliases', { KeyId: ref })],
    [
      'CreateAlias',
      (ref) => kms.call('CreateAlias', { AliasName: `alias/n${++aliasCount}`, TargetKeyId: ref }),
    ],
    ['UpdateAlias', (ref) => kms.call('UpdateAlias', { AliasName: aliasName, TargetKeyId: ref })],
  ];

  it.each(kOnly)('%s accepts the key ID and the key ARN', async (_op, call) => {
    await call(keyId);
    await call(arn);
  });

  it.each(kOnly)('%s refuses an alias name or alias ARN with NotFoundException', async (_op, call) => {
    const before = (await kms.snapshot()).keys;
    for (const ref of [aliasName, aliasArn])
      await expectError(call(ref), 'NotFoundException', `Invalid keyId ${ref}`);
    expect((await kms.snapshot()).keys).toEqual(before);
  });

  it('ScheduleKeyDeletion and CancelKeyDeletion take the key ID or ARN, not an alias', async () => {
    await expectError(
      kms.call('ScheduleKeyDeletion', { KeyId: aliasName }),
      'NotFoundException',
      `Invalid keyId ${aliasName}`,
    );
    const scheduled = await kms.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    expect(scheduled.KeyId).toBe(arn);
    await expectError(
      kms.call('CancelKeyDeletion', { KeyId: aliasArn }),
      'NotFoundException',
      `Invalid keyId ${aliasArn}`,
    );
    expect((await kms.call('CancelKeyDeletion', { KeyId: arn })).KeyId).toBe(arn);
  });
});

describe('NotFoundException messages', () => {
  it.each([
    ['a malformed key ID', 'fake-key-id'],
    ['a malformed mrk- key ID', 'mrk-fake-key-id'],
    ['32 hex digits without dashes', '1234abcd12ab34cd56ef1234567890ab'],
  ])('rejects %s as an invalid keyId', async (_label, ref) => {
    await expectError(kms.call('DescribeKey', { KeyId: ref }), 'NotFoundException', `Invalid keyId '${ref}'`);
    await expectError(
      kms.call('Encrypt', { KeyId: ref, Plaintext: new Uint8Array([1]) }),
      'NotFoundException',
      `Invalid keyId '${ref}'`,
    );
    await expectError(kms.call('EnableKey', { KeyId: ref }), 'NotFoundException', `Invalid keyId '${ref}'`);
  });

  it('names the full key ARN of a well-formed key ID that does not exist', async () => {
    const absent = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const message = `Key 'arn:aws:kms:${REGION}:${ACCOUNT}:key/${absent}' does not exist`;
    await expectError(kms.call('DescribeKey', { KeyId: absent }), 'NotFoundException', message);
    await expectError(
      kms.call('DescribeKey', { KeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${absent}` }),
      'NotFoundException',
      message,
    );
    await expectError(kms.call('DisableKey', { KeyId: absent }), 'NotFoundException', message);
  });

  it('names an alias that does not exist by its alias ARN, whichever form was given', async () => {
    const message = `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/nope is not found.`;
    await expectError(kms.call('DescribeKey', { KeyId: 'alias/nope' }), 'NotFoundException', message);
    await expectError(
      kms.call('Encrypt', {
        KeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/nope`,
        Plaintext: new Uint8Array([1]),
      }),
      'NotFoundException',
      message,
    );
  });

  it('treats alias names as case-sensitive', async () => {
    await expectError(
      kms.call('DescribeKey', { KeyId: 'alias/APP' }),
      'NotFoundException',
      `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/APP is not found.`,
    );
  });

  it('refuses a key or alias ARN of another Region with "Invalid arn <region>"', async () => {
    const otherRegion = arn.replace(REGION, 'us-west-2');
    await expectError(
      kms.call('DescribeKey', { KeyId: otherRegion }),
      'NotFoundException',
      'Invalid arn us-west-2',
    );
    await expectError(
      kms.call('EnableKey', { KeyId: otherRegion }),
      'NotFoundException',
      'Invalid arn us-west-2',
    );
    await expectError(
      kms.call('DescribeKey', { KeyId: aliasArn.replace(REGION, 'eu-west-1') }),
      'NotFoundException',
      'Invalid arn eu-west-1',
    );
  });

  it('keeps keys Regional: a key ID from another Region does not exist here', async () => {
    await expectError(
      kms.call('DescribeKey', { KeyId: keyId }, westCaller),
      'NotFoundException',
      `Key 'arn:aws:kms:us-west-2:${ACCOUNT}:key/${keyId}' does not exist`,
    );
    await expectError(
      kms.call('DescribeKey', { KeyId: aliasName }, westCaller),
      'NotFoundException',
      `Alias arn:aws:kms:us-west-2:${ACCOUNT}:${aliasName} is not found.`,
    );
  });

  it('refuses something that is not a KMS ARN with InvalidArnException', async () => {
    const e = await rejection(kms.call('DescribeKey', { KeyId: 'arn:aws:s3:::my-bucket' }));
    expect(e.code).toBe('InvalidArnException');
  });
});

describe('cross-account references', () => {
  let partnerKey: { id: string; arn: string };

  beforeEach(async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {}, partner);
    partnerKey = { id: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
    await kms.call('CreateAlias', { AliasName: 'alias/partner', TargetKeyId: partnerKey.id }, partner);
  });

  it('creates the key in the caller account', () => {
    expect(partnerKey.arn).toBe(`arn:aws:kms:${REGION}:${PARTNER}:key/${partnerKey.id}`);
  });

  it('resolves a bare key ID or alias name in the caller account only', async () => {
    await expectError(
      kms.call('DescribeKey', { KeyId: partnerKey.id }),
      'NotFoundException',
      `Key 'arn:aws:kms:${REGION}:${ACCOUNT}:key/${partnerKey.id}' does not exist`,
    );
    await expectError(
      kms.call('DescribeKey', { KeyId: 'alias/partner' }),
      'NotFoundException',
      `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/partner is not found.`,
    );
  });

  it('reaches another account’s key by key ARN or alias ARN, where its key policy decides', async () => {
    // Without a key policy statement for the caller account, access is denied.
    for (const ref of [partnerKey.arn, `arn:aws:kms:${REGION}:${PARTNER}:alias/partner`])
      await expectError(
        kms.call('Encrypt', { KeyId: ref, Plaintext: new Uint8Array([1]) }),
        'AccessDeniedException',
        `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: kms:Encrypt on resource: ${partnerKey.arn} because no resource-based policy allows the kms:Encrypt action`,
      );
  });
});
