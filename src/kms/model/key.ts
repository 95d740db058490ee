import type { KeyManager, KeySpec, KeyState, KeyUsage, Origin } from './enums.ts';

/** One version of a key's material, kept only wrapped under the store's domain key. */
export interface KeyMaterialRecord {
  /** 64 lowercase hex, as AWS's KeyMaterialId. */
  readonly id: string;
  readonly createdAt: number;
  /** AES-GCM(domain key): 12-byte IV followed by ciphertext and tag. */
  readonly wrapped: Uint8Array<ArrayBuffer>;
}

export interface Tag {
  readonly TagKey: string;
  readonly TagValue: string;
}

export interface KeyLastUsage {
  readonly operation: string;
  readonly timestamp: number;
  readonly cloudTrailEventId: string;
  readonly kmsRequestId: string;
}

/** A KMS key as plain, structured-cloneable data. */
export interface KeyRecord {
  readonly arn: string;
  readonly keyId: string;
  readonly accountId: string;
  readonly region: string;
  readonly createdAt: number;
  description: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly origin: Origin;
  readonly keyManager: KeyManager;
  readonly multiRegion: boolean;
  state: KeyState;
  /** Epoch ms; set while PendingDeletion. */
  deletionDate?: number;
  pendingWindowInDays?: number;
  policy: string;
  tags: Tag[];
  materials: KeyMaterialRecord[];
  currentMaterialId?: string;
  /** Asymmetric keys: the public key as DER SubjectPublicKeyInfo (public; the private key is `materials[0]`). */
  publicKey?: Uint8Array<ArrayBuffer>;
  lastUsage?: KeyLastUsage;
}

export interface AliasRecord {
  readonly aliasName: string;
  readonly aliasArn: string;
  readonly accountId: string;
  readonly region: string;
  targetKeyId: string;
  readonly createdAt: number;
  lastUpdatedAt: number;
}

export const isSymmetric = (k: Pick<KeyRecord, 'keySpec'>): boolean => k.keySpec === 'SYMMETRIC_DEFAULT';
