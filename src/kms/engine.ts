import type { Authorizer } from './access/authorizer.ts';
import { policyAuthorizer } from './access/evaluate.ts';
import {
  trailRequestParameters,
  trailParameters,
  trailTime,
  userIdentity,
  type CloudTrailRecord,
} from './audit/cloudTrail.ts';
import type { CallTrace, TraceHop } from './audit/trace.ts';
import { Keyring } from './crypto/keyring.ts';
import { newRequestId } from './crypto/random.ts';
import { Err, isKmsError, KmsError } from './errors.ts';
import { checkState } from './model/keyState.ts';
import { ensureAwsManagedKeyFor } from './world/awsManagedKeys.ts';
import { routeToKeyStore } from './cloudhsm/keyStoreRouting.ts';
import type { IdentityRecord } from './iam/model.ts';
import type { AliasRecord, ImportParameters, KeyMaterialRecord, KeyRecord } from './model/key.ts';
import { WorldTx, type WorldData } from './model/world.ts';
import type { CallContext } from './operations/context.ts';
import type { OperationRegistry, OperationSpec } from './operations/registry.ts';
import { resolveKey } from './operations/resolveKey.ts';
import { validateInput } from './operations/validate.ts';
import type { KmsStore, PersistedWorld } from './store/store.ts';
import { SimulatedClock } from './world/clock.ts';
import type { CallerContext } from './world/principal.ts';
import { isKnownRegion } from './world/regions.ts';
import type { ScheduledEvent, TimedBehaviour } from './world/scheduler.ts';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** What the engine tells its observers (the lab UI, tests). Never carries key material. */
export type KmsEvent =
  | { readonly type: 'call'; readonly trace: CallTrace; readonly records: readonly CloudTrailRecord[] }
  | {
      readonly type: 'serviceEvent';
      readonly event: ScheduledEvent;
      readonly records: readonly CloudTrailRecord[];
    }
  | { readonly type: 'clock'; readonly now: number }
  | { readonly type: 'reset' };

/** A key as observers see it: metadata and material versions, never material. */
export type KeyView = Omit<KeyRecord, 'materials' | 'importParameters'> & {
  /** Material versions: IDs, dates, rotation and import state; never the (wrapped) material. */
  materials: Omit<KeyMaterialRecord, 'wrapped'>[];
  importParameters?: Omit<ImportParameters, 'wrappedPrivateKey'>;
};

export interface EngineOptions {
  readonly store: KmsStore;
  readonly registry: OperationRegistry;
  readonly behaviours: readonly TimedBehaviour[];
  readonly authorizer?: Authorizer;
  /** Simulated start time for a new world (epoch ms). */
  readonly startTime?: number;
  /** Whether simulated time flows with real time between calls. */
  readonly clockRunning?: boolean;
}

const HOP_LATENCY = { caller: 0, endpoint: 12, authorization: 2, keyStore: 4, response: 12 } as const;

/**
 * The KMS engine: one call surface wrapping every operation handler with validation, KeyId
 * resolution, authorization, key-state rules, DryRun, audit and tracing, and committing each
 * mutating call to the store before it answers. Calls run one at a time.
 */
export class KmsEngine {
  readonly #store: KmsStore;
  readonly #registry: OperationRegistry;
  readonly #behaviours: readonly TimedBehaviour[];
  readonly #authorizer: Authorizer;
  readonly #keyring: Keyring;
  readonly #world: WorldData;
  #clock: SimulatedClock;
  #trail: CloudTrailRecord[];
  readonly #listeners = new Set<(e: KmsEvent) => void>();
  #queue: Promise<unknown> = Promise.resolve();
  readonly #initial: { start: number; running: boolean };

  private constructor(o: EngineOptions, keyring: Keyring, persisted: PersistedWorld | undefined) {
    this.#store = o.store;
    this.#registry = o.registry;
    this.#behaviours = o.behaviours;
    this.#authorizer = o.authorizer ?? policyAuthorizer;
    this.#keyring = keyring;
    this.#initial = { start: o.startTime ?? Date.now(), running: o.clockRunning ?? false };
    this.#clock = persisted?.clock
      ? new SimulatedClock(persisted.clock)
      : SimulatedClock.startingAt(this.#initial.start, this.#initial.running);
    this.#world = {
      keys: new Map((persisted?.keys ?? []).map((k) => [k.arn, k])),
      aliases: new Map((persisted?.aliases ?? []).map((a) => [a.aliasArn, a])),
      identities: new Map((persisted?.identities ?? []).map((i) => [i.arn, i])),
      resources: new Map((persisted?.resources ?? []).map((r) => [r.arn, r])),
      clock: this.#clock.snapshot(),
    };
    this.#trail = [...(persisted?.trail ?? [])];
  }

  static async open(o: EngineOptions): Promise<KmsEngine> {
    const keyring = new Keyring(await o.store.domainKey());
    return new KmsEngine(o, keyring, await o.store.load());
  }

  /** Subscribes to calls, service events and clock changes; returns the unsubscribe function. */
  onEvent(listener: (e: KmsEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  operationNames(): string[] {
    return this.#registry.names();
  }

  operation(name: string): OperationSpec | undefined {
    return this.#registry.get(name);
  }

  now(): number {
    return this.#clock.now();
  }

  /** Calls one KMS operation as `caller`. Resolves with the output or rejects with a KmsError. */
  call(operation: string, input: unknown, caller: CallerContext): Promise<Record<string, unknown>> {
    return this.#serial(() => this.#call(operation, input, caller));
  }

  /** Moves simulated time forward, firing every scheduled event on the way, in order. */
  advanceClock(seconds: number): Promise<ScheduledEvent[]> {
    if (!Number.isFinite(seconds) || seconds < 0)
      return Promise.reject(Err.Validation('Seconds must be a non-negative number'));
    return this.#serial(async () => {
      const fired = await this.#fireDue(this.#clock.now() + seconds * 1000);
      // Persist the new time even when no event fired on the way.
      await this.#commit(new WorldTx(this.#world), []);
      this.#emit({ type: 'clock', now: this.#clock.now() });
      return fired;
    });
  }

  /** Scheduled events still to come (deletions, rotations, expiries), soonest first. */
  upcoming(): ScheduledEvent[] {
    const tx = new WorldTx(this.#world);
    return this.#behaviours.flatMap((b) => b.upcoming(tx)).sort((a, b) => a.at - b.at);
  }

  /** The CloudTrail records of every account, oldest first. */
  trail(): readonly CloudTrailRecord[] {
    return this.#trail;
  }

  /** A plain-data copy of the world, as persisted (material stays wrapped). */
  snapshot(): Promise<PersistedWorld> {
    return this.#serial(async () => this.#snapshotNow());
  }

  /** Replaces the world with a snapshot (undo/redo, import) or, without one, a fresh world. */
  restore(world?: PersistedWorld): Promise<void> {
    return this.#serial(async () => {
      const clock =
        world?.clock ?? SimulatedClock.startingAt(this.#initial.start, this.#initial.running).snapshot();
      const next: PersistedWorld = world ?? { keys: [], aliases: [], trail: [], clock };
      await this.#store.replace(next);
      this.#world.keys = new Map(next.keys.map((k) => [k.arn, structuredClone(k)]));
      this.#world.aliases = new Map(next.aliases.map((a) => [a.aliasArn, structuredClone(a)]));
      this.#world.identities = new Map((next.identities ?? []).map((i) => [i.arn, structuredClone(i)]));
      this.#world.resources = new Map((next.resources ?? []).map((r) => [r.arn, structuredClone(r)]));
      // CloudTrail records are never changed once written, so the trail can be shared, not copied.
      this.#trail = [...next.trail];
      this.#clock = new SimulatedClock(clock);
      this.#emit({ type: 'reset' });
    });
  }

  #snapshotNow(): PersistedWorld {
    return structuredClone({
      keys: [...this.#world.keys.values()],
      aliases: [...this.#world.aliases.values()],
      identities: [...this.#world.identities.values()],
      resources: [...this.#world.resources.values()],
      trail: this.#trail,
      clock: this.#clock.snapshot(),
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #emit(e: KmsEvent) {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch {
        // An observer's failure must never break a call.
      }
    }
  }

  async #fireDue(until: number): Promise<ScheduledEvent[]> {
    const fired: ScheduledEvent[] = [];
    for (;;) {
      const tx = new WorldTx(this.#world);
      let next: { event: ScheduledEvent; behaviour: TimedBehaviour } | undefined;
      for (const behaviour of this.#behaviours)
        for (const event of behaviour.upcoming(tx))
          if (event.at <= until && (!next || event.at < next.event.at)) next = { event, behaviour };
      if (!next) break;
      // An overdue event (a key re-enabled after its rotation date) happens now, never in the past.
      this.#clock.set(Math.max(next.event.at, this.#clock.now()));
      const records: CloudTrailRecord[] = [];
      await next.behaviour.fire(next.event, {
        tx,
        keyring: this.#keyring,
        now: this.#clock.now(),
        record: (r) => records.push(r),
        newIds: () => ({ requestId: newRequestId(), eventId: newRequestId() }),
      });
      await this.#commit(tx, records);
      fired.push(next.event);
      this.#emit({ type: 'serviceEvent', event: next.event, records });
    }
    this.#clock.set(until);
    return fired;
  }

  async #commit(tx: WorldTx, records: CloudTrailRecord[]) {
    await this.#store.commit({ ...tx.changes(), trail: records, clock: this.#clock.snapshot() });
    tx.apply();
    this.#trail.push(...records);
  }

  async #call(operation: string, rawInput: unknown, caller: CallerContext): Promise<Record<string, unknown>> {
    // Time may have passed (a running clock) since the last call: let due events happen first.
    await this.#fireDue(this.#clock.now());
    const now = this.#clock.now();
    const requestId = newRequestId();
    const eventId = newRequestId();
    const region = caller.region;
    const hops: TraceHop[] = [{ stage: 'caller', latencyMs: 0, label: caller.principal.arn, ok: true }];
    const op = this.#registry.get(operation);
    const tx = new WorldTx(this.#world);
    const ctx: CallContext = {
      op: op as OperationSpec,
      input: {},
      caller,
      region,
      accountId: caller.principal.accountId,
      now,
      requestId,
      eventId,
      tx,
      keyring: this.#keyring,
      keys: {},
      trail: { extra: [] },
      hops,
      ...(op?.service
        ? { kms: this.#serviceKmsCall(op.service.principal, op.service.endpointPrefix, caller) }
        : {}),
    };
    let authorization: CallTrace['authorization'];
    let stage: 'endpoint' | 'authorization' | 'keyStore' = 'endpoint';
    try {
      if (!op) throw Err.UnknownOperation('');
      if (!isKnownRegion(region))
        throw new KmsError(
          'UnrecognizedClientException',
          `The security token included in the request is invalid.`,
        );
      const input = validateInput(op.input, rawInput);
      (ctx as { input: unknown }).input = input;
      op.validate?.(input, ctx);
      hops.push({
        stage: 'endpoint',
        latencyMs: HOP_LATENCY.endpoint,
        label: `${op.service?.endpointPrefix ?? 'kms'}.${region}.amazonaws.com`,
        ok: true,
      });

      await op.prepare?.(ctx);
      // A service using its AWS managed key (alias/aws/<service>) creates it on first use.
      if (caller.viaService && typeof input.KeyId === 'string' && op.keys?.length)
        await ensureAwsManagedKeyFor(input.KeyId, tx, this.#keyring, ctx, now);
      const targets: { key: KeyRecord; action: string }[] = [];
      for (const t of op.keys ?? []) {
        let key: KeyRecord | undefined;
        if (t.resolve) key = t.resolve(ctx);
        else {
          const ref = t.field ? (input[t.field] as string | undefined) : undefined;
          if (ref === undefined) {
            if (t.optional) continue;
            throw Err.Validation(
              `1 validation error detected: Value null at '${t.field}' failed to satisfy constraint: Member must not be null`,
            );
          }
          key = resolveKey(tx, ref, t.forms, { accountId: ctx.accountId, region });
        }
        ctx.keys[t.role] = key;
        targets.push({ key, action: t.action ?? op.action });
      }

      stage = 'authorization';
      // An operation on keys that also names a resource of its own (an alias) is authorized on both.
      const resourceToo = targets.length > 0 && op.resource !== undefined;
      const requests = [
        ...targets,
        ...(targets.length === 0 || resourceToo ? [{ key: undefined, action: op.action }] : []),
      ];
      const decisions = requests.map(({ key, action }) =>
        this.#authorizer.authorize({ action, caller, key, input, tx, now, resource: op.resource?.(ctx) }),
      );
      const denied = decisions.find((d) => !d.allowed);
      authorization = {
        decision: denied ? 'deny' : 'allow',
        explanation: denied ? denied.explanation : decisions.map((d) => d.explanation),
      };
      hops.push({
        stage: 'authorization',
        latencyMs: HOP_LATENCY.authorization,
        label: denied ? 'denied' : 'allowed',
        ok: !denied,
      });
      if (denied) {
        const e = new KmsError(op.service?.accessDeniedCode ?? 'AccessDeniedException', denied.message ?? '');
        e.explanation = denied.explanation;
        throw e;
      }

      stage = 'keyStore';
      for (const t of op.keys ?? []) {
        const key = ctx.keys[t.role];
        if (!key) continue;
        if (t.customerManagedOnly && key.keyManager === 'AWS')
          throw Err.UnsupportedOperation(
            `${key.arn} is an AWS managed key which is not valid for this operation.`,
          );
        checkState(t.state, key.state, key.arn);
        if (t.usage && !t.usage.includes(key.keyUsage))
          throw Err.InvalidKeyUsage(
            `${key.arn} key usage is ${key.keyUsage} which is not valid for ${op.name}.`,
          );
      }
      await op.precheck?.(ctx);
      // Key store routing: a key in a custom key store runs in one of its HSMs (cloudhsm/keyStoreRouting.ts).
      if (op.cryptographic)
        for (const [role, key] of Object.entries(ctx.keys)) ctx.keys[role] = routeToKeyStore(ctx, key);
      if (op.supportsDryRun && input.DryRun === true) throw Err.DryRun();

      const output = await op.handler(ctx);
      if (op.cryptographic)
        for (const key of Object.values(ctx.keys))
          tx.editKey(key.arn).lastUsage = {
            operation: op.name,
            timestamp: now,
            cloudTrailEventId: eventId,
            kmsRequestId: requestId,
          };
      if (targets.length || op.cryptographic || ctx.servedBy)
        hops.push({
          stage: 'keyStore',
          latencyMs: HOP_LATENCY.keyStore,
          label: ctx.servedBy ?? 'AWS KMS HSM fleet',
          ok: true,
        });
      hops.push({ stage: 'response', latencyMs: HOP_LATENCY.response, label: 'response', ok: true });

      const records =
        op.service?.dataEvent || op.cloudTrail === false ? [] : this.#records(ctx, output, undefined);
      await this.#commit(tx, records);
      this.#emitCall(ctx, records, 'success', authorization);
      return output;
    } catch (e) {
      const error = isKmsError(e) ? e : Err.Internal('An internal error occurred.');
      if (!isKmsError(e)) console.error(e);
      if (stage === 'endpoint')
        hops.push({ stage: 'endpoint', latencyMs: HOP_LATENCY.endpoint, label: error.code, ok: false });
      else if (stage === 'keyStore')
        hops.push({ stage: 'keyStore', latencyMs: HOP_LATENCY.keyStore, label: error.code, ok: false });
      hops.push({ stage: 'response', latencyMs: HOP_LATENCY.response, label: error.code, ok: false });
      // A call refused before its input validated still logs what was sent, minus any blob member.
      if (op && Object.keys(ctx.input).length === 0 && isPlainObject(rawInput))
        ctx.trail.requestParameters ??= trailRequestParameters(
          Object.fromEntries(
            Object.entries(rawInput).filter(
              ([k]) =>
                op.input.members[k]?.type !== 'blob' &&
                !(op.input.members[k] as { sensitive?: boolean } | undefined)?.sensitive,
            ),
          ),
        );
      // A failed call changes nothing but the trail.
      const records =
        op && !op.service?.dataEvent && op.cloudTrail !== false ? this.#records(ctx, undefined, error) : [];
      const failTx = new WorldTx(this.#world);
      await this.#commit(failTx, records);
      this.#emitCall(
        ctx,
        records,
        error.code === 'AccessDeniedException' || error.code === op?.service?.accessDeniedCode
          ? 'denied'
          : 'error',
        authorization,
        error,
      );
      throw error;
    }
  }

  /**
   * How a service operation calls KMS: as the service on behalf of the caller (CloudTrail's
   * userIdentity is the caller with `invokedBy`, user agent and source IP the service), with
   * `kms:ViaService`, through the whole pipeline. Runs inside the service call (no queueing).
   */
  #serviceKmsCall(servicePrincipal: string, endpointPrefix: string, caller: CallerContext) {
    return (
      operation: string,
      input: Record<string, unknown>,
      o: { readonly as?: CallerContext['principal']; readonly region?: string } = {},
    ) => {
      const region = o.region ?? caller.region;
      return this.#call(operation, input, {
        principal: { ...(o.as ?? caller.principal), invokedBy: servicePrincipal },
        region,
        source: 'service',
        sourceIp: servicePrincipal,
        userAgent: servicePrincipal,
        viaService: `${endpointPrefix}.${region}.amazonaws.com`,
      });
    };
  }

  #records(
    ctx: CallContext,
    output: Record<string, unknown> | undefined,
    error: KmsError | undefined,
  ): CloudTrailRecord[] {
    const op = ctx.op;
    const keys = Object.values(ctx.keys);
    let requestParameters: Record<string, unknown> | null;
    try {
      requestParameters =
        ctx.trail.requestParameters ?? op.trailRequest?.(ctx) ?? trailRequestParameters(ctx.input);
    } catch {
      requestParameters = trailRequestParameters(ctx.input);
    }
    const responseElements =
      output && !op.cryptographic && op.trailResponse ? op.trailResponse(output, ctx) : null;
    const base: CloudTrailRecord = {
      eventVersion: '1.08',
      userIdentity: userIdentity(ctx.caller.principal),
      eventTime: trailTime(ctx.now),
      eventSource: (op.eventSource ?? 'kms.amazonaws.com') as CloudTrailRecord['eventSource'],
      eventName: op.name.replace(/^[a-z0-9-]+:/, ''),
      awsRegion: ctx.region,
      sourceIPAddress: ctx.caller.sourceIp ?? '192.0.2.10',
      userAgent: ctx.caller.userAgent ?? `kms-lab/${ctx.caller.source ?? 'api'}`,
      requestParameters,
      responseElements: responseElements
        ? (trailParameters(responseElements) as Record<string, unknown>)
        : null,
      ...(ctx.trail.additionalEventData ? { additionalEventData: ctx.trail.additionalEventData } : {}),
      ...(error ? { errorCode: error.code, errorMessage: error.message } : {}),
      requestID: ctx.requestId,
      eventID: ctx.eventId,
      readOnly: op.readOnly,
      ...(keys.length
        ? {
            resources: keys.map((k) => ({
              accountId: k.accountId,
              type: 'AWS::KMS::Key' as const,
              ARN: k.arn,
            })),
          }
        : {}),
      eventType: 'AwsApiCall',
      managementEvent: true,
      eventCategory: 'Management',
      recipientAccountId: ctx.accountId,
    };
    const records = [base, ...(error ? [] : ctx.trail.extra)];
    // Cross-account calls are also delivered to the key owner's account, except denials.
    const owners = new Set(keys.map((k) => k.accountId).filter((a) => a !== ctx.accountId));
    if (!error || error.code !== 'AccessDeniedException')
      for (const owner of owners) records.push({ ...base, recipientAccountId: owner });
    return records;
  }

  #emitCall(
    ctx: CallContext,
    records: CloudTrailRecord[],
    outcome: CallTrace['outcome'],
    authorization?: CallTrace['authorization'],
    error?: KmsError,
  ) {
    this.#emit({
      type: 'call',
      records,
      trace: {
        requestId: ctx.requestId,
        eventId: ctx.eventId,
        operation: ctx.op?.name ?? 'Unknown',
        principalArn: ctx.caller.principal.arn,
        accountId: ctx.accountId,
        region: ctx.region,
        source: ctx.caller.source ?? 'api',
        ...(ctx.caller.viaService ? { viaService: ctx.caller.viaService } : {}),
        time: ctx.now,
        keyArns: Object.values(ctx.keys).map((k) => k.arn),
        hops: [...ctx.hops],
        outcome,
        ...(error ? { error: { code: error.code, message: error.message } } : {}),
        ...(authorization ? { authorization } : {}),
      },
    });
  }

  /** Read-only views of the world for observers; never includes key material, not even wrapped. */
  keys(): KeyView[] {
    return [...this.#world.keys.values()].map(({ materials, importParameters, ...rest }) => ({
      ...structuredClone(rest),
      materials: materials.map(({ wrapped: _w, ...m }) => structuredClone(m)),
      ...(importParameters
        ? {
            importParameters: (({ wrappedPrivateKey: _p, ...p }) => structuredClone(p))(importParameters),
          }
        : {}),
    }));
  }

  /** A read-only view built from the world (e.g. CloudHSM clusters without their key material). */
  view<T>(build: (tx: WorldTx) => T): T {
    return build(new WorldTx(this.#world));
  }

  aliases(): readonly AliasRecord[] {
    return structuredClone([...this.#world.aliases.values()]);
  }

  /** IAM users, roles and managed policies of every account (access keys' secrets included: simulated). */
  identities(): readonly IdentityRecord[] {
    return structuredClone([...this.#world.identities.values()]);
  }
}
