/**
 * Per key material version, the calls that encrypted or decrypted with it. CloudTrail never names
 * the material, so the console's per-version counts are tallied here from the outputs of the calls
 * this worker answers (console, CLI and scripts alike). In memory only: the tallies start over with
 * the workspace or its world.
 */
import type { CallerContext, Kms, OperationName } from '../src/kms/index.ts';
import { parseCiphertext } from '../src/kms/crypto/ciphertextBlob.ts';

/** Calls seen with one key material: ciphertexts it made (Encrypt, GenerateDataKey*, ReEncrypt) and decrypts. */
export interface MaterialUse {
  readonly encrypted: number;
  readonly decrypted: number;
}

/** Key ARN → KeyMaterialId → calls seen with that material. */
const materialUse = new Map<string, Map<string, MaterialUse>>();

/** Forgets every tally (another workspace or world). */
export function clearMaterialUse(): void {
  materialUse.clear();
}

/** KeyMaterialId → calls seen with that material of the key `arn`. */
export function materialUseOf(arn: string): Record<string, MaterialUse> {
  return Object.fromEntries(materialUse.get(arn) ?? []);
}

function countUse(arn: unknown, materialId: unknown, field: keyof MaterialUse) {
  if (typeof arn !== 'string' || typeof materialId !== 'string' || !materialId) return;
  let byMaterial = materialUse.get(arn);
  if (!byMaterial) materialUse.set(arn, (byMaterial = new Map()));
  const was = byMaterial.get(materialId) ?? { encrypted: 0, decrypted: 0 };
  byMaterial.set(materialId, { ...was, [field]: was[field] + 1 });
}

const SEALING_OPERATIONS = new Set([
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
]);

/**
 * The material a symmetric ciphertext names in its header (Encrypt's response has no KeyMaterialId;
 * the ciphertext itself says which version sealed it). Undefined for anything else.
 */
function sealedMaterialId(blob: unknown): string | undefined {
  if (!(blob instanceof Uint8Array)) return undefined;
  try {
    return parseCiphertext(blob).materialId;
  } catch {
    return undefined;
  }
}

/** Counts which material a successful call's output says it used (`KeyMaterialId` and kin). */
function tallyMaterial<T>(operation: string, output: T): T {
  const o = output as Record<string, unknown>;
  if (SEALING_OPERATIONS.has(operation))
    countUse(o.KeyId, o.KeyMaterialId ?? sealedMaterialId(o.CiphertextBlob), 'encrypted');
  else if (operation === 'Decrypt') countUse(o.KeyId, o.KeyMaterialId, 'decrypted');
  else if (operation === 'ReEncrypt') {
    countUse(o.SourceKeyId, o.SourceKeyMaterialId, 'decrypted');
    countUse(o.KeyId, o.DestinationKeyMaterialId, 'encrypted');
  }
  return output;
}

/** The engine with its call outputs tallied per key material. */
export function tallying(kms: Kms): Kms {
  return {
    ...kms,
    call: (async (operation: string, input: unknown, caller?: CallerContext) =>
      tallyMaterial(
        operation,
        await kms.call(operation as OperationName, input as never, caller),
      )) as Kms['call'],
    send: async (operation, input, caller) =>
      tallyMaterial(operation, await kms.send(operation, input, caller)),
  };
}
