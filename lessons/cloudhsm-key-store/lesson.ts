import { check, events, need } from '../../src/learn/checks.ts';
import type { Lesson, WorldView } from '../../src/learn/types.ts';

const TRUST_ANCHOR =
  '-----BEGIN CERTIFICATE-----\nMIIBcustomerCAcertificateForTheLab==\n-----END CERTIFICATE-----\n';
const SIGNED_CERT =
  '-----BEGIN CERTIFICATE-----\nMIIBclusterCertificateSignedByTheCA==\n-----END CERTIFICATE-----\n';
const PASSWORD = 'kmsuser-Passw0rd';

const store = (w: WorldView) => w.customKeyStores.find((s) => s.name === 'hsm-store');
const hsmKey = (w: WorldView) => {
  const s = store(w);
  return s && w.keys.find((k) => k.customKeyStoreId === s.customKeyStoreId);
};

export const lesson: Lesson = {
  id: 'cloudhsm-key-store',
  title: 'A CloudHSM key store across two Availability Zones',
  intro:
    'A CloudHSM key store puts KMS keys in your own single-tenant HSM cluster while you keep using the KMS ' +
    'API and its integrations. KMS needs the cluster active with HSMs in at least two Availability Zones to ' +
    'create the store and keys, and talks to it as the crypto user `kmsuser`. Your cluster is ready: HSMs in ' +
    `us-east-1a and us-east-1b, trust anchor \`${TRUST_ANCHOR.replace(/\n/g, '\\n')}\`, kmsuser password \`${PASSWORD}\`.`,
  tags: { areas: ['cloudhsm'], domains: ['SCS: Data Protection', 'SCS: Infrastructure Security'] },
  world: { KmsLabScenario: 1, Accounts: { '111122223333': {} } },
  setup: `const { Cluster } = await cloudhsm.createCluster({
  HsmType: 'hsm2m.medium', SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
});
await cloudhsm.createHsm({ ClusterId: Cluster.ClusterId, AvailabilityZone: 'us-east-1a' });
await cloudhsm.createHsm({ ClusterId: Cluster.ClusterId, AvailabilityZone: 'us-east-1b' });
await cloudhsm.initializeCluster({ ClusterId: Cluster.ClusterId, SignedCert: ${JSON.stringify(SIGNED_CERT)}, TrustAnchor: ${JSON.stringify(TRUST_ANCHOR)} });
await lab.activateCluster({ ClusterId: Cluster.ClusterId });
await lab.setKmsUserPassword({ ClusterId: Cluster.ClusterId, Password: '${PASSWORD}' });`,
  steps: [
    {
      id: 'create-store',
      text: 'Create a CloudHSM key store named `hsm-store` on your cluster (find its ID with DescribeClusters).',
      check: check(
        'a custom key store named hsm-store exists',
        (w) => !!store(w) || need('CreateCustomKeyStore named hsm-store'),
      ),
      hints: [
        {
          level: 'nudge',
          text: 'You need the cluster ID, its trust anchor certificate and the kmsuser password.',
        },
        {
          level: 'concept',
          text: 'CreateCustomKeyStore checks the cluster: active, two AZs, the trust anchor matches.',
        },
        {
          level: 'call',
          text: "`await kms.createCustomKeyStore({ CustomKeyStoreName: 'hsm-store', CloudHsmClusterId, TrustAnchorCertificate, KeyStorePassword })`",
        },
      ],
    },
    {
      id: 'connect',
      text: 'Connect the key store. Connecting takes a while: let a minute pass.',
      check: check(
        'hsm-store is CONNECTED',
        (w) => store(w)?.connectionState === 'CONNECTED' || need('the store CONNECTED'),
      ),
      hints: [
        { level: 'nudge', text: 'A new store is DISCONNECTED.' },
        {
          level: 'concept',
          text: 'ConnectCustomKeyStore returns at once; the state goes CONNECTING → CONNECTED.',
        },
        {
          level: 'call',
          text: '`await kms.connectCustomKeyStore({ CustomKeyStoreId }); await clock.advance(60)`',
        },
      ],
    },
    {
      id: 'hsm-key',
      text: 'Create a key in the store (origin `AWS_CLOUDHSM`) and encrypt something with it.',
      check: check('a key in hsm-store was used for a successful Encrypt', (w) => {
        const k = hsmKey(w);
        return (
          (!!k && events(w, 'Encrypt', { ok: true, keyArn: k.arn }).length > 0) ||
          need('Encrypt with a key in hsm-store')
        );
      }),
      hints: [
        { level: 'nudge', text: 'CreateKey has members for the origin and the store.' },
        { level: 'concept', text: 'Only symmetric encryption keys can live in a CloudHSM key store.' },
        { level: 'call', text: "`await kms.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId })`" },
      ],
    },
    {
      id: 'az-failure',
      text:
        'Disaster: lose Availability Zone us-east-1a (`lab.loseAvailabilityZone`). Decrypt your ciphertext: the ' +
        'HSM in us-east-1b still serves the key.',
      check: check("after us-east-1a was lost, a Decrypt with the store's key succeeded", (w) => {
        const k = hsmKey(w);
        const lost = w.calls.findIndex(
          (c) => c.operation === 'lab:LoseAvailabilityZone' && c.outcome === 'success',
        );
        if (lost < 0) return need('the loss of an Availability Zone (lab.loseAvailabilityZone)');
        return (
          (!!k &&
            w.calls
              .slice(lost)
              .some(
                (c) => c.operation === 'Decrypt' && c.outcome === 'success' && c.keyArns.includes(k.arn),
              )) ||
          need('a Decrypt with the store key after the failure')
        );
      }),
      hints: [
        { level: 'nudge', text: 'Lab controls are under `lab`.' },
        {
          level: 'concept',
          text: 'Keys are synchronised to every HSM of the cluster; two AZs are what make this work.',
        },
        {
          level: 'call',
          text: "`await lab.loseAvailabilityZone({ AvailabilityZone: 'us-east-1a' }); await kms.decrypt({ CiphertextBlob })`",
        },
      ],
    },
  ],
  solution: `const { Clusters } = await cloudhsm.describeClusters({});
const { CustomKeyStoreId } = await kms.createCustomKeyStore({
  CustomKeyStoreName: 'hsm-store',
  CloudHsmClusterId: Clusters[0].ClusterId,
  TrustAnchorCertificate: ${JSON.stringify(TRUST_ANCHOR)},
  KeyStorePassword: '${PASSWORD}',
});
await kms.connectCustomKeyStore({ CustomKeyStoreId });
await clock.advance(60);
const { KeyMetadata } = await kms.createKey({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId });
const { CiphertextBlob } = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: lab.utf8('vault') });
await lab.loseAvailabilityZone({ AvailabilityZone: 'us-east-1a' });
const { Plaintext } = await kms.decrypt({ CiphertextBlob });
console.log(lab.text(Plaintext));
`,
  par: 6,
  minutes: 8,
};
