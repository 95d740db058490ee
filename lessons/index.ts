/**
 * The lesson registry, in course order. A lesson is `lessons/<id>/lesson.ts` (data, English text,
 * solution inline); translations overlay it from `locales/<locale>/lessons/<id>.json`.
 */
import type { Lesson } from '../src/learn/types.ts';
import { lesson as envelopeEncryption } from './envelope-encryption/lesson.ts';
import { lesson as encryptionContext } from './encryption-context/lesson.ts';
import { lesson as asymmetricSigning } from './asymmetric-signing/lesson.ts';
import { lesson as keyManagementTypes } from './key-management-types/lesson.ts';
import { lesson as keyPoliciesIam } from './key-policies-iam/lesson.ts';
import { lesson as grants } from './grants/lesson.ts';
import { lesson as rotation } from './rotation/lesson.ts';
import { lesson as keyStatesDeletion } from './key-states-deletion/lesson.ts';
import { lesson as importKeyMaterial } from './import-key-material/lesson.ts';
import { lesson as cloudHsmKeyStore } from './cloudhsm-key-store/lesson.ts';
import { lesson as multiRegionDr } from './multi-region-dr/lesson.ts';
import { lesson as multiRegionSigning } from './multi-region-signing/lesson.ts';
import { lesson as cloudTrailAudit } from './cloudtrail-audit/lesson.ts';
import { lesson as serviceIntegrations } from './service-integrations/lesson.ts';
import { lesson as crossAccount } from './cross-account/lesson.ts';
import { lesson as cliAndSdk } from './cli-and-sdk/lesson.ts';

export const LESSONS: readonly Lesson[] = [
  envelopeEncryption,
  encryptionContext,
  asymmetricSigning,
  keyManagementTypes,
  keyPoliciesIam,
  grants,
  rotation,
  keyStatesDeletion,
  importKeyMaterial,
  cloudHsmKeyStore,
  multiRegionDr,
  multiRegionSigning,
  cloudTrailAudit,
  serviceIntegrations,
  crossAccount,
  cliAndSdk,
];

export const lessonById = (id: string): Lesson | undefined => LESSONS.find((l) => l.id === id);
