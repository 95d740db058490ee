/**
 * ML-DSA keys (FIPS 204): node:crypto 20 has no ML-DSA, so signatures are checked with
 * @noble/post-quantum directly, using only the public key from GetPublicKey.
 */
import { shake256 } from '@noble/hashes/sha3.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey, newLab, utf8, type Lab } from './helpers.ts';

const DSA = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 } as const;
/** Public key and signature sizes AWS returns (SPKI = 22 bytes of DER + the raw key). */
const SIZES = { ML_DSA_44: [1334, 2420], ML_DSA_65: [1974, 3309], ML_DSA_87: [2614, 4627] } as const;
const OID_LAST = { ML_DSA_44: 0x11, ML_DSA_65: 0x12, ML_DSA_87: 0x13 } as const;

let lab: Lab;
beforeAll(async () => {
  lab = await newLab();
});

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe.each(Object.keys(DSA) as (keyof typeof DSA)[])('%s', (spec) => {
  it('RAW and EXTERNAL_MU signatures verify with noble using the downloaded public key', async () => {
    const arn = await createKey(lab, spec, 'SIGN_VERIFY');
    const { PublicKey, SigningAlgorithms } = await lab.kms.call('GetPublicKey', { KeyId: arn });
    expect(SigningAlgorithms).toEqual(['ML_DSA_SHAKE_256']);
    expect(PublicKey!.length).toBe(SIZES[spec][0]);
    // id-ml-dsa-* OID 2.16.840.1.101.3.4.3.{17,18,19}, no parameters (RFC 9881).
    expect([...PublicKey!.subarray(4, 17)]).toEqual([
      0x30,
      0x0b,
      0x06,
      0x09,
      0x60,
      0x86,
      0x48,
      0x01,
      0x65,
      0x03,
      0x04,
      0x03,
      OID_LAST[spec],
    ]);
    const raw = PublicKey!.subarray(22);

    const message = utf8('post-quantum hello');
    const { Signature } = await lab.kms.call('Sign', {
      KeyId: arn,
      Message: message,
      SigningAlgorithm: 'ML_DSA_SHAKE_256',
    });
    expect(Signature!.length).toBe(SIZES[spec][1]);
    expect(DSA[spec].verify(Signature!, message, raw)).toBe(true);
    expect(DSA[spec].verify(Signature!, utf8('other'), raw)).toBe(false);

    // μ = SHAKE256(SHAKE256(pk, 64) ‖ 0 ‖ 0 ‖ M, 64): pure ML-DSA with an empty context, computed
    // outside KMS; the signature over μ is an ordinary ML-DSA signature over M.
    const tr = shake256(raw, { dkLen: 64 });
    const mu = shake256(concat(tr, Uint8Array.of(0, 0), message), { dkLen: 64 });
    const external = await lab.kms.call('Sign', {
      KeyId: arn,
      Message: mu,
      MessageType: 'EXTERNAL_MU',
      SigningAlgorithm: 'ML_DSA_SHAKE_256',
    });
    expect(DSA[spec].verify(external.Signature!, message, raw)).toBe(true);

    for (const [Message, MessageType] of [
      [message, 'RAW'],
      [mu, 'EXTERNAL_MU'],
    ] as const) {
      const out = await lab.kms.call('Verify', {
        KeyId: arn,
        Message,
        MessageType,
        Signature: Signature!,
        SigningAlgorithm: 'ML_DSA_SHAKE_256',
      });
      expect(out.SignatureValid).toBe(true);
    }
    await expect(
      lab.kms.call('Verify', {
        KeyId: arn,
        Message: utf8('other'),
        Signature: Signature!,
        SigningAlgorithm: 'ML_DSA_SHAKE_256',
      }),
    ).rejects.toMatchObject({ code: 'KMSInvalidSignatureException' });
  });
});
