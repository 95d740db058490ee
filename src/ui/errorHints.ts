/**
 * What an AWS KMS exception usually means, in plain words, for learners. Shown under AWS's own
 * exception name and message, never instead of them.
 */
const HINTS: Record<string, string> = {
  InvalidCiphertextException:
    'KMS could not authenticate this ciphertext. The encryption context must be exactly the one used to encrypt (same keys, same values), and the ciphertext must be unmodified.',
  IncorrectKeyException: 'The ciphertext was encrypted under a different KMS key than the one you named.',
  NotFoundException: 'No key or alias with that identifier exists in this account and Region.',
  DisabledException: 'The key is disabled. Enable it before using it for cryptographic operations.',
  KMSInvalidStateException:
    'The key is not in a state that allows this call (for example, it is pending deletion).',
  AccessDeniedException:
    'The caller is not allowed to do this, or the ciphertext names a key that does not exist in this Region.',
  AlreadyExistsException: 'That alias name is already in use in this account and Region.',
  InvalidAliasNameException: 'Alias names start with "alias/" and must not start with "alias/aws/".',
  ValidationException: 'A parameter is missing, too long, or out of range.',
  SerializationException: 'The request could not be read: a parameter has the wrong format.',
  UnsupportedOperationException: 'This operation or option is not supported for this key.',
  LimitExceededException: 'A KMS quota was reached.',
  InvalidKeyUsageException: 'The key’s usage or key spec does not allow this operation.',
  KMSInternalException: 'Something went wrong inside the simulator. This is a bug in KMS Lab.',
};

export const errorHint = (code: string): string | undefined => HINTS[code];
