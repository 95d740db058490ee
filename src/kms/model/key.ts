import type { KeyManager, KeySpec, KeyState, KeyUsage, Origin } from './enums.ts';
import type { GrantRecord } from './grant.ts';

/** One version of a key's material, kept only wrapped under the store's domain key. */
export interface KeyMaterialRecord {
  /** 64 lowercase hex, as AWS's KeyMaterialId. */
  readonly id: string;
  readonly createdAt: number;
  /** AES-GCM(domain key): 12-byte IV followed by ciphertext and tag (empty while imported material is deleted). */
  readonly wrapped: Uint8Array<ArrayBuffer>;
  /** How this material became current, and when (absent for a key's first material). */
  readonly rotationType?: 'AUTOMATIC' | 'ON_DEMAND';
  readonly rotationDate?: number;
  /** Imported material (Origin EXTERNAL): see operations/import.ts. */
  readonly imported?: ImportedMaterialState;
}

/** The lifecycle of one imported key material (kms-api.md §8). */
export interface ImportedMaterialState {
  readonly importState: 'IMPORTED' | 'PENDING_IMPORT';
  /** PENDING_ROTATION: imported as NEW_KEY_MATERIAL, waiting for RotateKeyOnDemand. */
  readonly pendingRotation?: boolean;
  readonly expirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  readonly validTo?: number;
  readonly description?: string;
}

/** Automatic and on-demand rotation settings (kms-api.md §2.3, §6). */
export interface RotationConfig {
  readonly enabled: boolean;
  readonly periodDays: number;
  /** Epoch ms of the next automatic rotation, while enabled. */
  readonly nextRotationDate?: number;
  readonly onDemandCount: number;
}

/** An outstanding GetParametersForImport: the wrapping key pair and token (kms-api.md §8). */
export interface ImportParameters {
  readonly tokenId: string;
  readonly wrappingAlgorithm: string;
  readonly wrappingKeySpec: string;
  readonly validTo: number;
  /** RSA private key (PKCS#8), wrapped under the domain key like any material, under this ID. */
  readonly wrappedPrivateKey: Uint8Array<ArrayBuffer>;
  readonly wrappingKeyId: string;
  readonly publicKey: Uint8Array<ArrayBuffer>;
}

/** Multi-Region keys: this key's role and its related keys (kms-api.md §9). */
export interface MultiRegionInfo {
  readonly type: 'PRIMARY' | 'REPLICA';
  /** Region of the primary key. */
  readonly primaryRegion: string;
  /** Regions of the replica keys (kept on every related key). */
  readonly replicaRegions: readonly string[];
  /** While Creating/Updating: the simulated time the operation completes, and the state it lands in. */
  readonly pendingUntil?: number;
  readonly pendingState?: KeyState;
  /** While Updating (UpdatePrimaryRegion): the Region that becomes primary. */
  readonly pendingPrimaryRegion?: string;
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
  /** Grants on this key (operations/grants.ts); absent when none was ever created. */
  grants?: GrantRecord[];
  /** Symmetric AWS_KMS keys: automatic/on-demand rotation (absent until first enabled). */
  rotation?: RotationConfig;
  /** EXTERNAL keys: the parameters of the last GetParametersForImport. */
  importParameters?: ImportParameters;
  /** Multi-Region keys: primary/replica designations. */
  multiRegionInfo?: MultiRegionInfo;
  /** Keys in a custom key store (Origin AWS_CLOUDHSM): the store and its CloudHSM cluster. */
  customKeyStoreId?: string;
  cloudHsmClusterId?: string;
  /** Keys in an external key store (Origin EXTERNAL_KEY_STORE): the external key (XksKeyId). */
  xksKeyId?: string;
  /** While Unavailable (store disconnected): the state the key returns to when it reconnects. */
  stateWhenAvailable?: 'Enabled' | 'Disabled';
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
