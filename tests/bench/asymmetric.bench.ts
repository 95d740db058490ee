/**
 * Sign and Verify through the KMS Lab engine against raw WebCrypto on the same key type
 * (RSA_2048 with RSASSA_PSS_SHA_256, ECC_NIST_P256 with ECDSA_SHA_256), in µs per operation.
 * The engine adds validation, key resolution, authorization, state checks, CloudTrail, tracing
 * and (for ECDSA) the DER conversion. A plain script: `npx tsx tests/bench/asymmetric.bench.ts`.
 */
import { createKms, MemoryStore } from '../../src/kms/index.ts';

const MESSAGE = new TextEncoder().encode('benchmark message for KMS Lab asymmetric signing');

async function timePerOp(iterations: number, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(20, iterations); i++) await op(); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await op();
  return ((performance.now() - start) * 1000) / iterations;
}

interface Row {
  case: string;
  engine: number;
  webCrypto: number;
}

async function main() {
  const kms = await createKms({ store: new MemoryStore() });
  const rows: Row[] = [];
  const cases = [
    {
      name: 'RSA_2048 RSASSA_PSS_SHA_256',
      spec: 'RSA_2048' as const,
      algorithm: 'RSASSA_PSS_SHA_256' as const,
      generate: {
        name: 'RSA-PSS',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      params: { name: 'RSA-PSS', saltLength: 32 },
      iterations: { sign: 200, verify: 2000 },
    },
    {
      name: 'ECC_NIST_P256 ECDSA_SHA_256',
      spec: 'ECC_NIST_P256' as const,
      algorithm: 'ECDSA_SHA_256' as const,
      generate: { name: 'ECDSA', namedCurve: 'P-256' },
      params: { name: 'ECDSA', hash: 'SHA-256' },
      iterations: { sign: 2000, verify: 2000 },
    },
  ];
  for (const c of cases) {
    const { KeyMetadata } = await kms.call('CreateKey', { KeySpec: c.spec, KeyUsage: 'SIGN_VERIFY' });
    const KeyId = KeyMetadata!.Arn!;
    const { Signature } = await kms.call('Sign', { KeyId, Message: MESSAGE, SigningAlgorithm: c.algorithm });
    const pair = (await crypto.subtle.generateKey(c.generate, false, ['sign', 'verify'])) as CryptoKeyPair;
    const raw = new Uint8Array(await crypto.subtle.sign(c.params, pair.privateKey, MESSAGE));

    rows.push({
      case: `${c.name} Sign`,
      engine: await timePerOp(c.iterations.sign, () =>
        kms.call('Sign', { KeyId, Message: MESSAGE, SigningAlgorithm: c.algorithm }),
      ),
      webCrypto: await timePerOp(c.iterations.sign, () =>
        crypto.subtle.sign(c.params, pair.privateKey, MESSAGE),
      ),
    });
    rows.push({
      case: `${c.name} Verify`,
      engine: await timePerOp(c.iterations.verify, () =>
        kms.call('Verify', { KeyId, Message: MESSAGE, Signature: Signature!, SigningAlgorithm: c.algorithm }),
      ),
      webCrypto: await timePerOp(c.iterations.verify, () =>
        crypto.subtle.verify(c.params, pair.publicKey, raw, MESSAGE),
      ),
    });
  }
  console.log('Sign/Verify: KMS Lab engine vs raw WebCrypto (Node ' + process.version + ')');
  console.log(
    'case'.padEnd(40) + 'engine µs/op'.padStart(14) + 'WebCrypto µs/op'.padStart(18) + 'ratio'.padStart(8),
  );
  for (const r of rows)
    console.log(
      r.case.padEnd(40) +
        r.engine.toFixed(1).padStart(14) +
        r.webCrypto.toFixed(1).padStart(18) +
        `${(r.engine / r.webCrypto).toFixed(2)}x`.padStart(8),
    );
}

await main();
