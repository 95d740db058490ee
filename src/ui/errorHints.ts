/**
 * What an AWS KMS exception usually means, in plain words, for learners. Shown under AWS's own
 * exception name and message, never instead of them.
 */
import { t } from './i18n/text.svelte.ts';

export function errorHint(code: string): string | undefined {
  switch (code) {
    case 'InvalidCiphertextException':
      return t('errors.invalidCiphertext');
    case 'IncorrectKeyException':
      return t('errors.incorrectKey');
    case 'NotFoundException':
      return t('errors.notFound');
    case 'DisabledException':
      return t('errors.disabled');
    case 'KMSInvalidStateException':
      return t('errors.invalidState');
    case 'AccessDeniedException':
      return t('errors.accessDenied');
    case 'AlreadyExistsException':
      return t('errors.alreadyExists');
    case 'InvalidAliasNameException':
      return t('errors.invalidAliasName');
    case 'ValidationException':
      return t('errors.validation');
    case 'SerializationException':
      return t('errors.serialization');
    case 'UnsupportedOperationException':
      return t('errors.unsupportedOperation');
    case 'LimitExceededException':
      return t('errors.limitExceeded');
    case 'InvalidKeyUsageException':
      return t('errors.invalidKeyUsage');
    case 'KMSInternalException':
      return t('errors.internal');
    default:
      return undefined;
  }
}
