/** The AWS JSON 1.1 wire protocol over the engine, and the in-process SDK request handler. */
export {
  handleJsonRequest,
  JSON_CONTENT_TYPE,
  LAB_TARGET_PREFIX,
  SERVICE_TARGET_PREFIX,
  type JsonRequest,
  type JsonResponse,
} from './jsonProtocol.ts';
export { createInProcessRequestHandler } from './inProcessHandler.ts';
export { CLOUDHSM_TARGET_PREFIX, handleCloudHsmRequest, isCloudHsmTarget } from './cloudHsmProtocol.ts';
export {
  accessKeyCallerFor,
  header,
  identityFromHeaders,
  rootCallerFor,
  type CallerResolver,
  type RequestIdentity,
  type RoleSessionCredential,
} from './caller.ts';
export { decodeInput, encodeOutput } from './jsonCodec.ts';
export { decodeBase64, encodeBase64 } from './base64.ts';
