import { t } from '../i18n/text.svelte.ts';

/** Ready-made scripts for common KMS tasks; each runs as is against a fresh world. */
export interface Snippet {
  readonly id: string;
  /** In the interface's language (read it when showing it). */
  readonly title: string;
  readonly description: string;
  readonly code: string;
}

export const DEFAULT_SCRIPT = `// The scratchpad runs TypeScript with top-level await. \`kms\` is a ready KMS client
// (the top bar's principal and Region); the same code runs against AWS with a real client.
import { KMSClient, CreateKeyCommand, EncryptCommand, DecryptCommand } from '@aws-sdk/client-kms';

const client = new KMSClient({ region: lab.region });
const { KeyMetadata } = await client.send(new CreateKeyCommand({ Description: 'scratchpad key' }));
const keyId = KeyMetadata!.KeyId;

const encrypted = await client.send(
  new EncryptCommand({ KeyId: keyId, Plaintext: lab.utf8('hello, KMS'), EncryptionContext: { app: 'demo' } }),
);
console.log('ciphertext', encrypted.CiphertextBlob);

const decrypted = await client.send(
  new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { app: 'demo' } }),
);
console.log('plaintext:', lab.text(decrypted.Plaintext!));
`;

export const SNIPPETS: readonly Snippet[] = [
  {
    id: 'envelope',
    get title() {
      return t('scratchpad.snippetEnvelopeTitle');
    },
    get description() {
      return t('scratchpad.snippetEnvelopeDescription');
    },
    code: `// Envelope encryption: KMS makes a data key; you encrypt locally and store the encrypted data key.
const { KeyMetadata } = await kms.createKey({ Description: 'envelope demo' });
const keyId = KeyMetadata!.KeyId;

const dataKey = await kms.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { file: 'report.pdf' } });
const aes = await crypto.subtle.importKey('raw', dataKey.Plaintext!, 'AES-GCM', false, ['encrypt', 'decrypt']);
const iv = crypto.getRandomValues(new Uint8Array(12));
const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, lab.utf8('quarterly numbers')));
dataKey.Plaintext!.fill(0); // forget the plaintext data key
console.log('stored with the data:', { encryptedDataKey: dataKey.CiphertextBlob, iv, sealed });

// Later: ask KMS to decrypt the data key, then decrypt locally.
const { Plaintext } = await kms.decrypt({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { file: 'report.pdf' } });
const aes2 = await crypto.subtle.importKey('raw', Plaintext!, 'AES-GCM', false, ['decrypt']);
console.log('opened:', lab.text(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, aes2, sealed))));
`,
  },
  {
    id: 'sign-verify',
    get title() {
      return t('scratchpad.snippetSignVerifyTitle');
    },
    get description() {
      return t('scratchpad.snippetSignVerifyDescription');
    },
    code: `// Sign with an ECC key in KMS; verify in KMS and offline with the downloaded public key.
const { KeyMetadata } = await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'signing demo' });
const keyId = KeyMetadata!.KeyId;
const message = lab.utf8('release v1.2.3');

const { Signature } = await kms.sign({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
console.log('signature (DER)', Signature);

const { SignatureValid } = await kms.verify({
  KeyId: keyId, Message: message, MessageType: 'RAW', Signature, SigningAlgorithm: 'ECDSA_SHA_256',
});
console.log('KMS says valid:', SignatureValid);

const { PublicKey } = await kms.getPublicKey({ KeyId: keyId });
console.log('public key (SPKI DER)', PublicKey);
`,
  },
  {
    id: 'grant-token',
    get title() {
      return t('scratchpad.snippetGrantTokenTitle');
    },
    get description() {
      return t('scratchpad.snippetGrantTokenDescription');
    },
    code: `// A grant lets another principal use the key; the grant token makes it usable before it propagates.
const { KeyMetadata } = await kms.createKey({ Description: 'shared with partner' });
const keyArn = KeyMetadata!.Arn!;
const partner = lab.principals.find((p) => p.startsWith('arn:aws:iam::444455556666:'))!;

const { GrantId, GrantToken } = await kms.createGrant({
  KeyId: keyArn,
  GranteePrincipal: partner,
  Operations: ['Encrypt', 'Decrypt'],
  Name: 'partner-encrypt',
});
console.log('grant', GrantId);

// Act as the partner (cross-account: name the key by its ARN).
const asPartner = lab.as({ principal: partner });
const { CiphertextBlob } = await asPartner.encrypt({ KeyId: keyArn, Plaintext: lab.utf8('from partner'), GrantTokens: [GrantToken!] });
console.log('partner encrypted', CiphertextBlob);

await kms.revokeGrant({ KeyId: keyArn, GrantId: GrantId! });
try {
  await asPartner.encrypt({ KeyId: keyArn, Plaintext: lab.utf8('again') });
} catch (e) {
  console.log('after revoke:', (e as Error).name);
}
`,
  },
  {
    id: 'multi-region',
    get title() {
      return t('scratchpad.snippetMultiRegionTitle');
    },
    get description() {
      return t('scratchpad.snippetMultiRegionDescription');
    },
    code: `// Multi-Region keys share key material: encrypt in one Region, decrypt in another.
const east = lab.as({ region: 'us-east-1' });
const west = lab.as({ region: 'eu-west-1' });

const { KeyMetadata } = await east.createKey({ MultiRegion: true, Description: 'mrk demo' });
const keyId = KeyMetadata!.KeyId; // mrk-…
await east.replicateKey({ KeyId: keyId, ReplicaRegion: 'eu-west-1' });

const { CiphertextBlob } = await east.encrypt({ KeyId: keyId, Plaintext: lab.utf8('travels well') });
const { Plaintext, KeyId } = await west.decrypt({ CiphertextBlob, KeyId: keyId });
console.log('decrypted in eu-west-1 with', KeyId, ':', lab.text(Plaintext!));
`,
  },
  {
    id: 'import',
    get title() {
      return t('scratchpad.snippetImportTitle');
    },
    get description() {
      return t('scratchpad.snippetImportDescription');
    },
    code: `// Bring your own key: wrap 32 random bytes under KMS's wrapping public key and import them.
const { KeyMetadata } = await kms.createKey({ Origin: 'EXTERNAL', Description: 'BYOK demo' });
const keyId = KeyMetadata!.KeyId;
console.log('state before import:', KeyMetadata!.KeyState);

const params = await kms.getParametersForImport({
  KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048',
});
const wrappingKey = await crypto.subtle.importKey(
  'spki', params.PublicKey!, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt'],
);
const material = crypto.getRandomValues(new Uint8Array(32)); // keep a copy safe: you own its durability
const wrapped = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrappingKey, material));

await kms.importKeyMaterial({
  KeyId: keyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped,
  ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
});
const { KeyMetadata: after } = await kms.describeKey({ KeyId: keyId });
console.log('state after import:', after!.KeyState);
const { CiphertextBlob } = await kms.encrypt({ KeyId: keyId, Plaintext: lab.utf8('imported') });
console.log('encrypted with imported material', CiphertextBlob);
`,
  },
  {
    id: 'world',
    get title() {
      return t('scratchpad.snippetWorldTitle');
    },
    get description() {
      return t('scratchpad.snippetWorldDescription');
    },
    code: `// The simulated world: IAM users, the clock, CloudHSM and its faults (all act as lab.principal).
const { KeyMetadata } = await kms.createKey({ Description: 'world demo' });
const keyId = KeyMetadata!.KeyId;

// An IAM user allowed to encrypt (its identity policy; the key policy trusts the account).
const userName = \`alice-\${crypto.randomUUID().slice(0, 8)}\`; // new on every run
const { User } = await lab.iam.createUser({ UserName: userName });
await lab.iam.putUserPolicy({
  UserName: userName, PolicyName: 'encrypt',
  PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] }),
});
const alice = lab.as({ principal: User.Arn });
await alice.encrypt({ KeyId: keyId, Plaintext: lab.utf8('from alice') });
try { await alice.scheduleKeyDeletion({ KeyId: keyId }); }
catch (e) { console.log('alice may not delete the key:', (e as Error).name); }

// Time: schedule the deletion, then move the clock past its 7-day waiting period.
await kms.scheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: 7 });
console.log('now:', await lab.clock.now());
await lab.clock.advanceDays(8);
console.log('8 days later:', await lab.clock.now());
try { await kms.describeKey({ KeyId: keyId }); } catch (e) { console.log('the key is gone:', (e as Error).name); }

// CloudHSM: a cluster with one HSM, then a fault.
const { Cluster } = await lab.cloudHsm.createCluster({
  HsmType: 'hsm2m.medium', SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
});
const { Hsm } = await lab.cloudHsm.createHsm({ ClusterId: Cluster.ClusterId, AvailabilityZone: lab.region + 'a' });
const stopped = await lab.fault.stopHsm({ HsmId: Hsm.HsmId });
console.log('after StopHsm:', stopped.Cluster);
`,
  },
];
