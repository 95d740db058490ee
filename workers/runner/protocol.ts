/**
 * Messages between a scratchpad script's runner worker (inside the sandboxed iframe) and the page.
 * The page trusts none of them: it validates every `call` before it reaches the KMS worker.
 */

/** A value the script logged or produced, as plain JSON-able data (bytes as base64 with a length). */
export type ViewValue =
  | null
  | boolean
  | number
  | string
  | readonly ViewValue[]
  | { readonly $t: 'undefined' }
  | { readonly $t: 'bigint'; readonly v: string }
  | { readonly $t: 'bytes'; readonly base64: string; readonly length: number }
  | { readonly $t: 'date'; readonly iso: string }
  | { readonly $t: 'error'; readonly name: string; readonly message: string }
  | { readonly $t: 'function'; readonly name: string }
  | {
      readonly $t: 'object';
      readonly ctor?: string;
      readonly entries: readonly (readonly [string, ViewValue])[];
    }
  | { readonly $t: 'more'; readonly what: string };

/** Runner → page. */
export type RunnerMessage =
  | { readonly t: 'ready' }
  | {
      readonly t: 'call';
      readonly id: number;
      readonly op: string;
      readonly body: string;
      readonly region: string;
      readonly principal?: string;
    }
  | {
      /** A service client's call (`s3.putObject(input)` → service `s3`, op `PutObject`). */
      readonly t: 'service';
      readonly id: number;
      readonly service: string;
      readonly op: string;
      /** Structured-cloned plain data (bytes as Uint8Array, timestamps as Date). */
      readonly input: unknown;
      readonly region: string;
      readonly principal?: string;
    }
  | {
      /**
       * A call into the simulated world around KMS (`lab.iam.createUser(input)` → family `iam`, op
       * `CreateUser`; `lab.clock.advance(s)` → family `clock`, op `Advance`, input `{ Seconds }`).
       * Answered with a `serviceReply`.
       */
      readonly t: 'world';
      readonly id: number;
      readonly family: WorldFamily;
      readonly op: string;
      /** Structured-cloned plain data. */
      readonly input: unknown;
      readonly region: string;
      readonly principal?: string;
    }
  | {
      readonly t: 'log';
      readonly level: 'log' | 'info' | 'warn' | 'error' | 'debug';
      readonly values: ViewValue[];
    }
  | {
      readonly t: 'error';
      readonly name: string;
      readonly message: string;
      /** Line in the generated JavaScript (the page maps it back to the TypeScript line). */
      readonly jsLine?: number;
      readonly requestId?: string;
    }
  | { readonly t: 'done' };

/** Page → runner. */
export type PageMessage =
  | {
      readonly t: 'run';
      readonly code: string;
      readonly region: string;
      readonly principal: string;
      readonly principals: readonly string[];
      /** The service clients to define (`s3`, `ec2`, …): variable, API prefix, method → operation. */
      readonly services?: readonly ServiceClientSpec[];
      /** The world operations `lab` exposes: family → method → operation. */
      readonly world?: WorldSpec;
    }
  | {
      readonly t: 'reply';
      readonly id: number;
      readonly status: number;
      readonly body: string;
      readonly requestId?: string;
    }
  | {
      readonly t: 'serviceReply';
      readonly id: number;
      readonly ok: boolean;
      readonly output?: unknown;
      readonly error?: { readonly code: string; readonly message: string };
      readonly requestId?: string;
    };

/** One service client a script gets (see `ServiceClientInfo` in the KMS worker). */
export interface ServiceClientSpec {
  readonly client: string;
  readonly service: string;
  readonly methods: Readonly<Record<string, string>>;
}

/** The parts of the simulated world a script reaches through `lab`. */
export type WorldFamily = 'clock' | 'iam' | 'cloudHsm' | 'lab';

/**
 * The world operations of `lab` (see `WorldOperationsInfo` in the KMS worker): IAM and CloudHSM
 * methods (`createUser` → `CreateUser`), the lab controls' names, and which of them are faults.
 */
export interface WorldSpec {
  readonly iam: Readonly<Record<string, string>>;
  readonly cloudHsm: Readonly<Record<string, string>>;
  readonly lab: Readonly<Record<string, string>>;
  readonly faults: readonly string[];
}

export const SCRIPT_URL = 'kms-lab-script.js';
