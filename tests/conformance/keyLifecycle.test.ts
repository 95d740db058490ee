/**
 * Key lifecycle through the real `@aws-sdk/client-kms` (issue 6): a multi-Region key used from a
 * us-east-1 client and an eu-west-1 client, rotation status and listings, and a BYOK import with
 * ValidTo — each in-process and over `npm run api`'s HTTP endpoint.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListKeyRotationsCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import * as nodeCrypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, httpTransport, inProcessTransport, type Transport } from './harness.ts';

describe.each([
  ['in-process requestHandler', inProcessTransport],
  ['HTTP endpoint', httpTransport],
])('key lifecycle with @aws-sdk/client-kms (%s)', (_name, open) => {
  let t: Transport;
  beforeAll(async () => {
    t = await open();
  });
  afterAll(() => t.close());

  it('encrypts with a us-east-1 client and decrypts with an eu-west-1 client (multi-Region key)', async () => {
    const east = t.client('us-east-1');
    const west = t.client('eu-west-1');
    const { KeyMetadata } = await east.send(new CreateKeyCommand({ MultiRegion: true }));
    const keyId = KeyMetadata!.KeyId!;
    const rep = await east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }));
    expect(rep.ReplicaKeyMetadata).toMatchObject({
      KeyState: 'Creating',
      Arn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${keyId}`,
    });
    await t.advanceClock(60);
    const { KeyMetadata: replica } = await west.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(replica!.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'REPLICA',
      PrimaryKey: { Arn: KeyMetadata!.Arn, Region: 'us-east-1' },
      ReplicaKeys: [{ Arn: replica!.Arn, Region: 'eu-west-1' }],
    });
    const { CiphertextBlob } = await east.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: new TextEncoder().encode('across Regions') }),
    );
    const { Plaintext, KeyId } = await west.send(new DecryptCommand({ CiphertextBlob }));
    expect(new TextDecoder().decode(Plaintext)).toBe('across Regions');
    expect(KeyId).toBe(replica!.Arn);
  });

  it('enables rotation, rotates on demand and lists rotations', async () => {
    const kms = t.client('us-east-1');
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata!.KeyId!, RotationPeriodInDays: 180 }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata!.KeyId! }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
    expect(status.NextRotationDate).toBeInstanceOf(Date);
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: KeyMetadata!.KeyId! }));
    const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId: KeyMetadata!.KeyId! }));
    expect(Rotations).toHaveLength(1);
    expect(Rotations![0]).toMatchObject({ RotationType: 'ON_DEMAND', KeyMaterialState: 'CURRENT' });
    expect(Rotations![0]!.RotationDate).toBeInstanceOf(Date);
  });

  it('imports symmetric material with a ValidTo', async () => {
    const kms = t.client('us-east-1');
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
    const keyId = KeyMetadata!.KeyId!;
    const p = await kms.send(
      new GetParametersForImportCommand({
        KeyId: keyId,
        WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256',
        WrappingKeySpec: 'RSA_3072',
      }),
    );
    expect(p.ParametersValidTo).toBeInstanceOf(Date);
    const pub = nodeCrypto.createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
    const aesKey = nodeCrypto.randomBytes(32);
    const kwp = nodeCrypto.createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
    const material = nodeCrypto.randomBytes(32);
    const wrapped = Buffer.concat([
      nodeCrypto.publicEncrypt(
        { key: pub, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        aesKey,
      ),
      kwp.update(material),
      kwp.final(),
    ]);
    const validTo = new Date(t.kms.now() + 30 * 86_400_000);
    const out = await kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: wrapped,
        ValidTo: validTo,
      }),
    );
    expect(out.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const { KeyMetadata: m } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(m).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(Math.abs(m!.ValidTo!.getTime() - validTo.getTime())).toBeLessThan(1000);
  });
});
