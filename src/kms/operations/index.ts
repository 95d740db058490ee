import { aliasOperations } from './aliases.ts';
import { cryptoOperations } from './crypto.ts';
import { customKeyStoreOperations } from './customKeyStores.ts';
import { dataKeyPairOperations } from './dataKeyPairs.ts';
import { grantOperations } from './grants.ts';
import { keyAgreementOperations } from './keyAgreement.ts';
import { keyOperations } from './keys.ts';
import { multiRegionOperations } from './multiRegion.ts';
import { macOperations } from './mac.ts';
import { policyOperations } from './policies.ts';
import { importOperations } from './import.ts';
import { publicKeyOperations } from './publicKey.ts';
import { rotationOperations } from './rotation.ts';
import { OperationRegistry } from './registry.ts';
import { signingOperations } from './signing.ts';
import { tagOperations } from './tags.ts';

/** The registry of every KMS operation this engine implements, one module per family. */
export const createRegistry = (): OperationRegistry =>
  new OperationRegistry().register(
    keyOperations,
    cryptoOperations,
    signingOperations,
    macOperations,
    publicKeyOperations,
    dataKeyPairOperations,
    keyAgreementOperations,
    aliasOperations,
    tagOperations,
    policyOperations,
    grantOperations,
    rotationOperations,
    importOperations,
    multiRegionOperations,
    customKeyStoreOperations,
  );
