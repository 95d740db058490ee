/**
 * Imported key material, BYOK (kms-api.md §2.4, §8), done as a user with OpenSSL would: download
 * the wrapping public key and import token, wrap the material with node:crypto (RSA-OAEP, or
 * RSA-OAEP of an AES key plus AES key wrap with padding, RFC 5649), upload it. Token and material
 * expiry follow the simulated clock.
 */
import * as nodeCrypto from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { createKms, KmsError, MemoryStore, type Kms } from '../../src/kms/index.ts';

const START = new Date('2026-01-01T00:00:00Z');
const HOUR_S = 3600;
const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;

async function rejection(p: Promise<unknown>): Promise<KmsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KmsError);
    return e as KmsError;
  }
  throw new Error('expected the call to fail');
}

type WrappingAlgorithm =
  'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';

/** What `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep …` (and `openssl enc -id-aes256-wrap-pad`) do. */
function wrap(publicKeyDer: Uint8Array, algorithm: WrappingAlgorithm, material: Uint8Array): Uint8Array {
  const key = nodeCrypto.createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const oaepHash = algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
  const oaep = (data: Uint8Array) =>
    nodeCrypto.publicEncrypt({ key, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data);
  if (algorithm.startsWith('RSAES_OAEP')) return oaep(material);
  const aesKey = nodeCrypto.randomBytes(32);
  const cipher = nodeCrypto.createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
  const wrapped = Buffer.concat([cipher.update(material), cipher.final()]);
  return Buffer.concat([oaep(aesKey), wrapped]);
}

let kms: Kms;
let keyId: string;
let arn: string;

beforeEach(async () => {
  kms = await createKms({ store: new MemoryStore(), startTime: START });
  const { KeyMetadata } = await kms.call('CreateKey', { Origin: 'EXTERNAL' });
  keyId = KeyMetadata!.KeyId!;
  arn = KeyMetadata!.Arn!;
});

async function importMaterial(
  material: Uint8Array,
  algorithm: WrappingAlgorithm = 'RSAES_OAEP_SHA_256',
  extra: Record<string, unknown> = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
  id = keyId,
) {
  const params = await kms.call('GetParametersForImport', {
    KeyId: id,
    WrappingAlgorithm: algorithm,
    WrappingKeySpec: 'RSA_2048',
  });
  return kms.call('ImportKeyMaterial', {
    KeyId: id,
    ImportToken: params.ImportToken!,
    EncryptedKeyMaterial: wrap(params.PublicKey!, algorithm, material),
    ...extra,
  });
}

describe('CreateKey Origin EXTERNAL', () => {
  it('starts PendingImport, disabled, without material or ExpirationModel', async () => {
    const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: keyId });
    expect(m).toMatchObject({ KeyState: 'PendingImport', Enabled: false, Origin: 'EXTERNAL' });
    expect(m!.ExpirationModel).toBeUndefined();
    expect(m!.CurrentKeyMaterialId).toBeUndefined();
    const e = await rejection(kms.call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) }));
    expect([e.code, e.message]).toEqual(['KMSInvalidStateException', `${arn} is pending import.`]);
  });
});

describe('GetParametersForImport', () => {
  it('observers see the material versions and import parameters, never wrapped material or wrapping keys', async () => {
    await importMaterial(nodeCrypto.randomBytes(32));
    await kms.call('GetParametersForImport', {
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
      WrappingKeySpec: 'RSA_2048',
    });
    const view = kms.keys().find((k) => k.arn === arn)!;
    expect(view.materials).toHaveLength(1);
    expect(view.materials[0]).not.toHaveProperty('wrapped');
    expect(view.materials[0]!.imported).toMatchObject({ importState: 'IMPORTED' });
    expect(view.importParameters).toMatchObject({ wrappingAlgorithm: 'RSAES_OAEP_SHA_1' });
    expect(view.importParameters).not.toHaveProperty('wrappedPrivateKey');
  });

  it('returns a DER RSA public key of the requested size and a token valid 24 hours', async () => {
    for (const [spec, bits] of [
      ['RSA_2048', 2048],
      ['RSA_3072', 3072],
    ] as const) {
      const p = await kms.call('GetParametersForImport', {
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: spec,
      });
      expect(p.KeyId).toBe(arn);
      expect(p.ParametersValidTo).toEqual(new Date(START.getTime() + DAY_MS));
      const pub = nodeCrypto.createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
      expect(pub.asymmetricKeyDetails!.modulusLength).toBe(bits);
      expect(p.ImportToken!.length).toBeGreaterThan(0);
    }
  });

  it('refuses keys whose origin is not EXTERNAL and the RSAES_PKCS1_V1_5 algorithm', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const e = await rejection(
      kms.call('GetParametersForImport', {
        KeyId: KeyMetadata!.KeyId!,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    expect([e.code, e.message]).toEqual([
      'UnsupportedOperationException',
      `${KeyMetadata!.Arn} origin is AWS_KMS which is not valid for this operation.`,
    ]);
    const p = await rejection(
      kms.call('GetParametersForImport', {
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_PKCS1_V1_5',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    expect(p.code).toBe('UnsupportedOperationException');
  });
});

describe('ImportKeyMaterial', () => {
  for (const algorithm of [
    'RSAES_OAEP_SHA_1',
    'RSAES_OAEP_SHA_256',
    'RSA_AES_KEY_WRAP_SHA_1',
    'RSA_AES_KEY_WRAP_SHA_256',
  ] as const)
    it(`imports symmetric material wrapped with ${algorithm}; the key encrypts and decrypts`, async () => {
      const material = nodeCrypto.randomBytes(32);
      const out = await importMaterial(material, algorithm);
      expect(out.KeyId).toBe(arn);
      expect(out.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
      const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: keyId });
      expect(m).toMatchObject({
        KeyState: 'Enabled',
        Enabled: true,
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        CurrentKeyMaterialId: out.KeyMaterialId,
      });
      expect(m!.ValidTo).toBeUndefined();
      const ct = await kms.call('Encrypt', { KeyId: keyId, Plaintext: new TextEncoder().encode('byok') });
      const pt = await kms.call('Decrypt', { CiphertextBlob: ct.CiphertextBlob! });
      expect(new TextDecoder().decode(pt.Plaintext)).toBe('byok');
    });

  it('requires ValidTo with the default KEY_MATERIAL_EXPIRES model, within 365 days', async () => {
    const material = nodeCrypto.randomBytes(32);
    const e = await rejection(importMaterial(material, 'RSAES_OAEP_SHA_256', {}));
    expect([e.code, e.message]).toEqual([
      'ValidationException',
      'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
    ]);
    const far = await rejection(
      importMaterial(material, 'RSAES_OAEP_SHA_256', { ValidTo: new Date(START.getTime() + 366 * DAY_MS) }),
    );
    expect(far.code).toBe('ValidationException');
    const both = await rejection(
      importMaterial(material, 'RSAES_OAEP_SHA_256', {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ValidTo: new Date(START.getTime() + DAY_MS),
      }),
    );
    expect(both.code).toBe('ValidationException');
  });

  it('an import token expires after 24 simulated hours', async () => {
    const params = await kms.call('GetParametersForImport', {
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    });
    await kms.advanceClock(24 * HOUR_S + 1);
    const e = await rejection(
      kms.call('ImportKeyMaterial', {
        KeyId: keyId,
        ImportToken: params.ImportToken!,
        EncryptedKeyMaterial: wrap(params.PublicKey!, 'RSAES_OAEP_SHA_256', nodeCrypto.randomBytes(32)),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    expect(e.code).toBe('ExpiredImportTokenException');
  });

  it("refuses another key's token and garbage with InvalidImportTokenException", async () => {
    const { KeyMetadata: other } = await kms.call('CreateKey', { Origin: 'EXTERNAL' });
    const params = await kms.call('GetParametersForImport', {
      KeyId: other!.KeyId!,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    });
    await kms.call('GetParametersForImport', {
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    });
    for (const token of [params.ImportToken!, new Uint8Array([1, 2, 3])]) {
      const e = await rejection(
        kms.call('ImportKeyMaterial', {
          KeyId: keyId,
          ImportToken: token,
          EncryptedKeyMaterial: wrap(params.PublicKey!, 'RSAES_OAEP_SHA_256', nodeCrypto.randomBytes(32)),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      );
      expect(e.code).toBe('InvalidImportTokenException');
    }
  });

  it('material wrapped with another public key is an InvalidCiphertextException', async () => {
    const params = await kms.call('GetParametersForImport', {
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    });
    const { publicKey } = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger = publicKey.export({ format: 'der', type: 'spki' });
    const e = await rejection(
      kms.call('ImportKeyMaterial', {
        KeyId: keyId,
        ImportToken: params.ImportToken!,
        EncryptedKeyMaterial: wrap(stranger, 'RSAES_OAEP_SHA_256', nodeCrypto.randomBytes(32)),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    expect([e.code, e.message]).toEqual(['InvalidCiphertextException', '']);
    // A SHA-1 wrap presented as SHA-256 does not unwrap either.
    const e2 = await rejection(
      kms.call('ImportKeyMaterial', {
        KeyId: keyId,
        ImportToken: params.ImportToken!,
        EncryptedKeyMaterial: wrap(params.PublicKey!, 'RSAES_OAEP_SHA_1', nodeCrypto.randomBytes(32)),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    expect(e2.code).toBe('InvalidCiphertextException');
  });

  it('re-importing different material is an IncorrectKeyMaterialException; the same material is accepted', async () => {
    const material = nodeCrypto.randomBytes(32);
    const first = await importMaterial(material);
    const e = await rejection(importMaterial(nodeCrypto.randomBytes(32)));
    expect(e.code).toBe('IncorrectKeyMaterialException');
    const again = await importMaterial(material, 'RSA_AES_KEY_WRAP_SHA_256', {
      ValidTo: new Date(START.getTime() + 30 * DAY_MS),
    });
    expect(again.KeyMaterialId).toBe(first.KeyMaterialId);
    const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: keyId });
    expect(m).toMatchObject({
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: new Date(START.getTime() + 30 * DAY_MS),
    });
  });

  it('refuses material of the wrong length for a symmetric key', async () => {
    const e = await rejection(importMaterial(nodeCrypto.randomBytes(16)));
    expect(e.code).toBe('IncorrectKeyMaterialException');
  });
});

describe('expiry and deletion', () => {
  it('material with a ValidTo expires on the clock (DeleteExpiredKeyMaterial → PendingImport), and re-import restores it', async () => {
    const material = nodeCrypto.randomBytes(32);
    await importMaterial(material, 'RSAES_OAEP_SHA_256', {
      ValidTo: new Date(START.getTime() + 10 * DAY_MS),
    });
    const ct = await kms.call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([7]) });
    const fired = await kms.advanceClock(11 * DAY_S);
    expect(fired.map((e) => e.kind)).toEqual(['DeleteExpiredKeyMaterial']);
    expect(fired[0]!.at).toBe(START.getTime() + 10 * DAY_MS);
    const { KeyMetadata: m } = await kms.call('DescribeKey', { KeyId: keyId });
    expect(m).toMatchObject({ KeyState: 'PendingImport', Enabled: false });
    const e = await rejection(kms.call('Decrypt', { CiphertextBlob: ct.CiphertextBlob! }));
    expect([e.code, e.message]).toEqual(['KMSInvalidStateException', `${arn} is pending import.`]);
    expect(kms.trail().find((r) => r.eventName === 'DeleteExpiredKeyMaterial')).toMatchObject({
      eventType: 'AwsServiceEvent',
      resources: [{ ARN: arn }],
    });

    await importMaterial(material);
    const pt = await kms.call('Decrypt', { CiphertextBlob: ct.CiphertextBlob! });
    expect(pt.Plaintext).toEqual(new Uint8Array([7]));
  });

  it('DeleteImportedKeyMaterial makes the key PendingImport now', async () => {
    const out = await importMaterial(nodeCrypto.randomBytes(32));
    expect(await kms.call('DeleteImportedKeyMaterial', { KeyId: keyId })).toEqual({
      KeyId: arn,
      KeyMaterialId: out.KeyMaterialId,
    });
    expect((await kms.call('DescribeKey', { KeyId: keyId })).KeyMetadata!.KeyState).toBe('PendingImport');
    const { KeyMetadata } = await kms.call('CreateKey', {});
    const e = await rejection(kms.call('DeleteImportedKeyMaterial', { KeyId: KeyMetadata!.KeyId! }));
    expect(e.code).toBe('UnsupportedOperationException');
  });

  it('keeps PendingDeletion when material is deleted from a key pending deletion', async () => {
    await importMaterial(nodeCrypto.randomBytes(32));
    await kms.call('ScheduleKeyDeletion', { KeyId: keyId });
    await kms.call('DeleteImportedKeyMaterial', { KeyId: keyId });
    expect((await kms.call('DescribeKey', { KeyId: keyId })).KeyMetadata!.KeyState).toBe('PendingDeletion');
  });
});

describe('on-demand rotation of imported symmetric keys', () => {
  it('imports NEW_KEY_MATERIAL (PENDING_ROTATION), then RotateKeyOnDemand makes it current', async () => {
    const first = await importMaterial(nodeCrypto.randomBytes(32));
    const noPending = await rejection(kms.call('RotateKeyOnDemand', { KeyId: keyId }));
    expect([noPending.code, noPending.message]).toEqual([
      'KMSInvalidStateException',
      `No available key material pending rotation for the key: ${arn}.`,
    ]);
    const old = await kms.call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) });
    const second = await importMaterial(nodeCrypto.randomBytes(32), 'RSAES_OAEP_SHA_256', {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ImportType: 'NEW_KEY_MATERIAL',
    });
    const all = await kms.call('ListKeyRotations', { KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' });
    expect(all.Rotations!.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState])).toEqual([
      [first.KeyMaterialId, 'CURRENT', 'IMPORTED'],
      [second.KeyMaterialId, 'PENDING_ROTATION', 'IMPORTED'],
    ]);
    await kms.call('RotateKeyOnDemand', { KeyId: keyId });
    expect((await kms.call('DescribeKey', { KeyId: keyId })).KeyMetadata!.CurrentKeyMaterialId).toBe(
      second.KeyMaterialId,
    );
    expect((await kms.call('Decrypt', { CiphertextBlob: old.CiphertextBlob! })).Plaintext).toEqual(
      new Uint8Array([1]),
    );
  });
});

describe('HMAC and asymmetric material', () => {
  it('imports an HMAC secret; MACs verify with node:crypto', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {
      Origin: 'EXTERNAL',
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    });
    const secret = nodeCrypto.randomBytes(32);
    await importMaterial(secret, 'RSAES_OAEP_SHA_256', undefined, KeyMetadata!.KeyId!);
    const msg = new TextEncoder().encode('hello');
    const { Mac } = await kms.call('GenerateMac', {
      KeyId: KeyMetadata!.KeyId!,
      Message: msg,
      MacAlgorithm: 'HMAC_SHA_256',
    });
    expect(Buffer.from(Mac!)).toEqual(nodeCrypto.createHmac('sha256', secret).update(msg).digest());
  });

  it('imports an ECC P-256 private key (PKCS#8); KMS derives the public key and signs', async () => {
    const { KeyMetadata } = await kms.call('CreateKey', {
      Origin: 'EXTERNAL',
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
    });
    const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    await importMaterial(pkcs8, 'RSA_AES_KEY_WRAP_SHA_256', undefined, KeyMetadata!.KeyId!);
    const got = await kms.call('GetPublicKey', { KeyId: KeyMetadata!.KeyId! });
    expect(Buffer.from(got.PublicKey!)).toEqual(publicKey.export({ format: 'der', type: 'spki' }));
    const msg = new TextEncoder().encode('signed');
    const { Signature } = await kms.call('Sign', {
      KeyId: KeyMetadata!.KeyId!,
      Message: msg,
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    expect(nodeCrypto.verify('sha256', msg, publicKey, Buffer.from(Signature!))).toBe(true);
  });
});
