/**
 * Authorization cost: a key with a 30-statement policy and 1,000 grants, evaluated for callers
 * that hit the policy, a grant, or nothing. Prints microseconds per call (evaluation alone and the
 * full Encrypt pipeline). Run: `npx tsx tests/bench/authorization.bench.ts`.
 */
import { evaluateAccess } from '../../src/kms/access/evaluate.ts';
import { createKms, MemoryStore, type CallerContext } from '../../src/kms/index.ts';

const ACCOUNT = '111122223333';
// Every request the engine authorizes is captured, to time evaluation alone on the same input.
let captured: Parameters<typeof evaluateAccess>[0] | undefined;
const kms = await createKms({
  store: new MemoryStore(),
  startTime: new Date('2026-01-01T00:00:00Z'),
  authorizer: {
    authorize: (r) => {
      captured = r;
      return evaluateAccess(r);
    },
  },
});
const doc = (Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const statements = [
  {
    Sid: 'Root',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: 'kms:*',
    Resource: '*',
  },
  ...Array.from({ length: 29 }, (_, i) => ({
    Sid: `S${i}`,
    Effect: i % 5 === 0 ? 'Deny' : 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/u${i}` },
    Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'],
    Resource: '*',
    Condition: {
      StringEquals: { [`kms:EncryptionContext:k${i}`]: `v${i}` },
      Bool: { 'aws:SecureTransport': 'true' },
    },
  })),
];
const { KeyMetadata } = await kms.call('CreateKey', { Policy: doc(statements) });
const arn = KeyMetadata!.Arn!;
for (const name of ['Alice', 'Grantee', 'Nobody']) await kms.iam('CreateUser', { UserName: name });
await kms.iam('PutUserPolicy', {
  UserName: 'Alice',
  PolicyName: 'kms',
  PolicyDocument: doc([{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }]),
});
for (let i = 0; i < 1000; i++)
  await kms.send('CreateGrant', {
    KeyId: arn,
    GranteePrincipal: `arn:aws:iam::${ACCOUNT}:user/${i === 999 ? 'Grantee' : `g${i}`}`,
    Operations: ['Encrypt', 'Decrypt'],
    Constraints: { EncryptionContextSubset: { app: 'x' } },
  });
await kms.advanceClock(600);

const key = kms.keys().find((k) => k.arn === arn)!;
const callers: Record<string, CallerContext> = {
  'policy + IAM allow (Alice)': kms.callerFor(`arn:aws:iam::${ACCOUNT}:user/Alice`),
  'last of 1,000 grants (Grantee)': kms.callerFor(`arn:aws:iam::${ACCOUNT}:user/Grantee`),
  'implicit deny (Nobody)': kms.callerFor(`arn:aws:iam::${ACCOUNT}:user/Nobody`),
};
const input = { KeyId: arn, Plaintext: new Uint8Array(32), EncryptionContext: { app: 'x' } };
console.log(
  `key policy: ${statements.length} statements, ${key.policy.length} bytes; grants: ${key.grants?.length}`,
);

for (const [label, caller] of Object.entries(callers)) {
  await kms.call('Encrypt', input, caller).catch(() => undefined);
  const request = captured!;
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) evaluateAccess(request);
  const evalUs = ((performance.now() - t0) / n) * 1000;
  const m = 200;
  const t1 = performance.now();
  for (let i = 0; i < m; i++) await kms.call('Encrypt', input, caller).catch(() => undefined);
  const callUs = ((performance.now() - t1) / m) * 1000;
  console.log(
    `${label.padEnd(34)} evaluation ${evalUs.toFixed(1).padStart(7)} µs/call   full Encrypt ${callUs.toFixed(1).padStart(8)} µs/call`,
  );
}
