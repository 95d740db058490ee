/**
 * AWS-named errors. Every failure that leaves the engine is a KmsError carrying the exact
 * exception name (`__type` on the wire) and message AWS returns.
 */
export class KmsError extends Error {
  /** The AWS exception name, e.g. `NotFoundException`. */
  readonly code: string;
  /** HTTP status on the wire: AWS answers 400 for every client error. */
  readonly httpStatus: number;
  /** Set on AccessDeniedException once access control explains its decision. */
  explanation?: unknown;

  constructor(code: string, message: string, httpStatus = 400) {
    super(message);
    this.code = code;
    this.name = code;
    this.httpStatus = httpStatus;
  }
}

export const isKmsError = (e: unknown): e is KmsError => e instanceof KmsError;

const make =
  (code: string, status = 400) =>
  (message = ''): KmsError =>
    new KmsError(code, message, status);

/** Factories named after the exceptions, so call sites read like the AWS docs. */
export const Err = {
  AccessDenied: make('AccessDeniedException'),
  AlreadyExists: make('AlreadyExistsException'),
  Conflict: make('ConflictException'),
  Disabled: make('DisabledException'),
  CustomKeyStoreNotFound: make('CustomKeyStoreNotFoundException'),
  NotAuthorized: make('NotAuthorizedException'),
  DryRun: () =>
    new KmsError(
      'DryRunOperationException',
      'The request would have succeeded, but the DryRun option is set.',
    ),
  IncorrectKey: () =>
    new KmsError(
      'IncorrectKeyException',
      'The key ID in the request does not identify a CMK that can perform this operation.',
    ),
  InvalidAliasName: make('InvalidAliasNameException'),
  InvalidArn: make('InvalidArnException'),
  InvalidCiphertext: () => new KmsError('InvalidCiphertextException', ''),
  InvalidGrantToken: make('InvalidGrantTokenException'),
  InvalidKeyUsage: make('InvalidKeyUsageException'),
  InvalidMarker: make('InvalidMarkerException'),
  Internal: make('KMSInternalException', 500),
  InvalidState: make('KMSInvalidStateException'),
  LimitExceeded: make('LimitExceededException'),
  MalformedPolicyDocument: make('MalformedPolicyDocumentException'),
  NotFound: make('NotFoundException'),
  Serialization: make('SerializationException'),
  Tag: make('TagException'),
  UnknownOperation: make('UnknownOperationException'),
  UnsupportedOperation: make('UnsupportedOperationException'),
  Validation: make('ValidationException'),
} as const;
