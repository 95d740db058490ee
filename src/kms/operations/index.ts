import { aliasOperations } from './aliases.ts';
import { cryptoOperations } from './crypto.ts';
import { keyOperations } from './keys.ts';
import { policyOperations } from './policies.ts';
import { OperationRegistry } from './registry.ts';
import { tagOperations } from './tags.ts';

/** The registry of every KMS operation this engine implements, one module per family. */
export const createRegistry = (): OperationRegistry =>
  new OperationRegistry().register(
    keyOperations,
    cryptoOperations,
    aliasOperations,
    tagOperations,
    policyOperations,
  );
