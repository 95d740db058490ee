/**
 * Symmetric crypto through the engine vs raw WebCrypto AES-GCM.
 *
 *   npx tsx tests/bench/symmetric.bench.ts
 *
 * For 1 KiB and 4 KiB payloads: Encrypt and Decrypt through the whole engine pipeline (in-process,
 * MemoryStore: validation, KeyId resolution, authorization, state checks, audit, commit) against a
 * bare `crypto.subtle.encrypt/decrypt` with a CryptoKey and a random IV on the same payload; and
 * GenerateDataKey (AES_256) against getRandomValues(32) + AES-GCM encryption of those 32 bytes.
 * Prints µs per operation (sequential, awaited one at a time) and the engine/raw ratio, as medians
 * over alternating rounds.
 * Not a test: it never fails on a slow machine; the target is Encrypt 4 KiB ≤ 3× raw.
 */
import { createKms, MemoryStore, type Kms } from '../../src/kms/index.ts';

const WARMUP_MS = 200;
const ROUNDS = 10;
const ROUND_MS = 80;

type Op = () => Promise<unknown>;

/** Runs `op` back to back for about `ms`; returns [operations, elapsed ms]. */
async function runFor(op: Op, ms: number): Promise<[number, number]> {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    // Check the time every few operations only, to keep the loop's own cost out of the figures.
    for (let i = 0; i < 8; i++) await op();
    n += 8;
    now = performance.now();
  }
  return [n, now - start];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Result {
  /** Median over rounds of µs per operation. */
  engineUs: number;
  rawUs: number;
  /** Median over rounds of the engine/raw ratio of adjacent rounds. */
  ratio: number;
  ops: number;
}

/**
 * Warms both up, then alternates short rounds so that drift (GC, CPU frequency, a busy machine)
 * hits both sides alike; medians keep an unlucky round from skewing the figures.
 */
async function compare(engine: Op, raw: Op): Promise<Result> {
  await runFor(engine, WARMUP_MS);
  await runFor(raw, WARMUP_MS);
  const engineUs: number[] = [];
  const rawUs: number[] = [];
  let ops = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const [en, et] = await runFor(engine, ROUND_MS);
    const [rn, rt] = await runFor(raw, ROUND_MS);
    engineUs.push((et / en) * 1000);
    rawUs.push((rt / rn) * 1000);
    ops += en;
  }
  return {
    engineUs: median(engineUs),
    rawUs: median(rawUs),
    ratio: median(engineUs.map((e, i) => e / rawUs[i]!)),
    ops,
  };
}

async function freshKms(): Promise<{ kms: Kms; keyId: string }> {
  const kms = await createKms({ store: new MemoryStore(), startTime: new Date('2026-01-01T00:00:00Z') });
  const { KeyMetadata } = await kms.call('CreateKey', {});
  return { kms, keyId: KeyMetadata!.KeyId! };
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

async function main() {
  const rawKey = (await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ])) as CryptoKey;
  const rawEncrypt = (data: Uint8Array<ArrayBuffer>) => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    return crypto.subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, data);
  };

  // Warm the JIT on every path once, so that the first case measured is not the coldest.
  {
    const { kms, keyId } = await freshKms();
    const data = crypto.getRandomValues(new Uint8Array(2048));
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: keyId, Plaintext: data });
    await runFor(async () => {
      await kms.call('Encrypt', { KeyId: keyId, Plaintext: data });
      await kms.call('Decrypt', { CiphertextBlob: CiphertextBlob! });
      await kms.call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' });
      await rawEncrypt(data);
    }, 500);
  }

  const rows: ({ payload: string; operation: string } & Result)[] = [];

  for (const size of [1024, 4096]) {
    const payload = crypto.getRandomValues(new Uint8Array(size));
    const label = `${size / 1024} KiB`;

    // Encrypt
    {
      const { kms, keyId } = await freshKms();
      const r = await compare(
        () => kms.call('Encrypt', { KeyId: keyId, Plaintext: payload }),
        () => rawEncrypt(payload),
      );
      rows.push({ payload: label, operation: 'Encrypt', ...r });
    }

    // Decrypt
    {
      const { kms, keyId } = await freshKms();
      const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: keyId, Plaintext: payload });
      const check = await kms.call('Decrypt', { CiphertextBlob: CiphertextBlob! });
      if (!equal(check.Plaintext!, payload)) throw new Error('engine round trip failed');
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, payload);
      const r = await compare(
        () => kms.call('Decrypt', { CiphertextBlob: CiphertextBlob! }),
        () => crypto.subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, sealed),
      );
      rows.push({ payload: label, operation: 'Decrypt', ...r });
    }
  }

  // GenerateDataKey: a 32-byte data key and its encryption; the payload size plays no part.
  {
    const { kms, keyId } = await freshKms();
    const r = await compare(
      () => kms.call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }),
      () => rawEncrypt(crypto.getRandomValues(new Uint8Array(32))),
    );
    rows.push({ payload: '32 B key', operation: 'GenerateDataKey', ...r });
  }

  const header = ['payload', 'operation', 'engine µs/op', 'raw µs/op', 'engine/raw', 'engine ops'];
  const table = rows.map((r) => [
    r.payload,
    r.operation,
    r.engineUs.toFixed(1),
    r.rawUs.toFixed(1),
    `${r.ratio.toFixed(2)}×`,
    String(r.ops),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(
    `KMS Lab symmetric benchmark — Node ${process.version}; medians of ${ROUNDS} alternating ${ROUND_MS} ms rounds per side`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  const enc4 = rows.find((r) => r.payload === '4 KiB' && r.operation === 'Encrypt')!;
  const ratio = enc4.ratio;
  console.log(`\nEncrypt 4 KiB: ${ratio.toFixed(2)}× raw (target ≤ 3×) — ${ratio <= 3 ? 'met' : 'NOT met'}`);
}

await main();
