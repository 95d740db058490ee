/**
 * Automatic rotation on the simulated clock.
 *
 *   npx tsx tests/bench/rotation.bench.ts
 *
 * Creates 500 symmetric keys with automatic rotation on (default 365-day period), then advances the
 * simulated clock 10 years in one call: every key rotates 10 times (5,000 RotateKey service events,
 * each generating and wrapping new material, logging CloudTrail and committing to the MemoryStore).
 * Prints the wall-clock time of setup and of the advance, and the time per rotation. Then checks that
 * a ciphertext made before the advance still decrypts.
 * Not a test: it never fails on a slow machine.
 */
import { createKms, MemoryStore } from '../../src/kms/index.ts';

const KEYS = 500;
const YEARS = 10;
const DAY_S = 86_400;

const kms = await createKms({ store: new MemoryStore(), startTime: new Date('2026-01-01T00:00:00Z') });

let t = performance.now();
const ids: string[] = [];
for (let i = 0; i < KEYS; i++) {
  const { KeyMetadata } = await kms.call('CreateKey', {});
  ids.push(KeyMetadata!.KeyId!);
  await kms.call('EnableKeyRotation', { KeyId: KeyMetadata!.KeyId! });
}
const setupMs = performance.now() - t;
const before = await kms.call('Encrypt', { KeyId: ids[0]!, Plaintext: new Uint8Array([42]) });

t = performance.now();
const fired = await kms.advanceClock(YEARS * 365 * DAY_S + DAY_S);
const advanceMs = performance.now() - t;

const rotations = fired.filter((e) => e.kind === 'RotateKey').length;
const dec = await kms.call('Decrypt', { CiphertextBlob: before.CiphertextBlob! });
if (dec.Plaintext?.[0] !== 42) throw new Error('old ciphertext no longer decrypts');

console.log(`rotation bench: ${KEYS} keys, rotation on, clock advanced ${YEARS} simulated years`);
const rows: [string, string][] = [
  ['setup (CreateKey + EnableKeyRotation)', `${setupMs.toFixed(0)} ms`],
  [`advance ${YEARS} simulated years`, `${advanceMs.toFixed(0)} ms`],
  ['rotations fired', String(rotations)],
  ['per rotation', `${((advanceMs / rotations) * 1000).toFixed(0)} µs`],
  ['CloudTrail records', String(kms.trail().length)],
];
for (const [label, value] of rows) console.log(`  ${label.padEnd(40)} ${value}`);
