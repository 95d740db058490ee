/**
 * The endpoint hop of calls that are not KMS calls. The engine names KMS's Regional endpoint
 * (`kms.<region>.amazonaws.com`) in every trace; the simulated CloudHSM API answers at CloudHSM
 * v2's endpoint and the lab controls at no AWS endpoint at all, so their operations rename the hop
 * in their `prepare` step (which runs right after the engine adds it).
 */
import type { CallContext } from '../operations/context.ts';
import type { OperationSpec } from '../operations/registry.ts';

/** A `prepare` step naming the endpoint that answers the call. */
export const answeredBy =
  (endpoint: (ctx: CallContext) => string) =>
  async (ctx: CallContext): Promise<void> => {
    const i = ctx.hops.findIndex((h) => h.stage === 'endpoint');
    if (i >= 0) ctx.hops[i] = { ...ctx.hops[i]!, label: endpoint(ctx) };
  };

export const CLOUDHSM_ENDPOINT = (region: string): string => `cloudhsmv2.${region}.amazonaws.com`;
export const LAB_CONTROL_ENDPOINT = 'KMS Lab control';

/**
 * A lab control `lab:<Name>`: traced (the UI animates it, through the "KMS Lab control" endpoint)
 * but no AWS API call, so no CloudTrail record.
 */
export function lab(
  spec: Omit<OperationSpec, 'action' | 'readOnly' | 'cloudTrail' | 'mutates'>,
): OperationSpec {
  return {
    ...spec,
    name: `lab:${spec.name}`,
    action: `kmslab:${spec.name}`,
    readOnly: false,
    mutates: true,
    cloudTrail: false,
    prepare: answeredBy(() => LAB_CONTROL_ENDPOINT),
  };
}
