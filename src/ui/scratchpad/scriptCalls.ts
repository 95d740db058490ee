import type { Principal } from '../../kms/index.ts';
import type {
  CallResult,
  KmsWorkerRemote,
  ServiceClientInfo,
  WireReply,
  WorldOperationsInfo,
} from '../labTypes.ts';

/**
 * What a scratchpad script reaches in the KMS worker: the SDK's KMS requests, the service clients
 * (`s3`, `ec2`, …) and the world around KMS (`lab.iam`, `lab.cloudHsm`, `lab.fault`, `lab.clock`).
 * Each call names its own principal and Region (the script's `lab.as(…)`), not the console's. The
 * lab refreshes from the worker's events; `refresh` is for what must show before the call returns.
 */
export class ScriptCalls {
  readonly #api: KmsWorkerRemote;
  readonly #refresh: () => Promise<void>;

  constructor(api: KmsWorkerRemote, refresh: () => Promise<void>) {
    this.#api = api;
    this.#refresh = refresh;
  }

  /** Answers one SDK request from a scratchpad script (operation, JSON 1.1 body) as `principal` in `region`. */
  wire(operation: string, body: string, region: string, principal: Principal): Promise<WireReply> {
    return this.#api.wire(operation, body, { region, principal, source: 'script' });
  }

  /** A scratchpad script's service call (`s3.putObject(…)`), as `principal` in `region`. */
  service(
    service: string,
    operation: string,
    input: Record<string, unknown>,
    region: string,
    principal: Principal,
  ): Promise<CallResult> {
    return this.#api.service(service, operation, input, { region, principal, source: 'script' });
  }

  /**
   * A scratchpad script's call into the world around KMS (`lab.iam.createUser(…)`,
   * `lab.cloudHsm.createCluster(…)`, `lab.fault.stopHsm(…)`), as `principal` in `region`.
   */
  world(
    family: 'iam' | 'cloudHsm' | 'lab',
    operation: string,
    input: Record<string, unknown>,
    region: string,
    principal: Principal,
  ): Promise<CallResult> {
    const caller = { region, principal, source: 'script' as const };
    if (family === 'iam')
      // A new user or role is someone the script may act as next (`lab.as({ principal })`).
      return this.#api.iam(operation, input, caller).then(async (r) => {
        if (r.ok) await this.#refresh();
        return r;
      });
    if (family === 'cloudHsm') return this.#api.cloudHsm(operation, input, caller);
    return this.#api.lab(operation, input, caller);
  }

  /** The world operations scripts reach through `lab`. */
  worldOperations(): Promise<WorldOperationsInfo> {
    return this.#api.worldOperations();
  }

  /** The service clients scripts get (`s3`, `ec2`, …) and their methods. */
  serviceClients(): Promise<ServiceClientInfo[]> {
    return this.#api.serviceClients();
  }

  /** The simulated clock's time (epoch ms), as a script reads it (`lab.clock.now()`). */
  clockNow(): Promise<number> {
    return this.#api.clockNow();
  }

  /** A script's clock move (`lab.clock.advance(seconds)`); the page refreshes from the events. */
  async advanceClock(seconds: number): Promise<CallResult<{ fired: unknown[]; now: number }>> {
    const r = await this.#api.advanceClock(seconds);
    if (!r.ok) return r;
    const now = await this.#api.clockNow();
    void this.#refresh();
    return { ok: true, output: { fired: r.output.fired, now } };
  }

  /** Declarations of `@aws-sdk/client-kms` and the lab's globals for the scratchpad editor. */
  sdkTypes(): Promise<string> {
    return this.#api.sdkTypes();
  }
}
