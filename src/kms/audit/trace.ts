/**
 * A call's journey, for the lab to animate: caller → Region endpoint → authorization →
 * key store → response, with simulated latencies and the outcome.
 */
export type HopStage = 'caller' | 'endpoint' | 'authorization' | 'keyStore' | 'response';

export interface TraceHop {
  readonly stage: HopStage;
  /** Simulated latency of this hop in milliseconds. */
  readonly latencyMs: number;
  readonly label: string;
  readonly ok: boolean;
}

export interface AuthorizationTrace {
  readonly decision: 'allow' | 'deny';
  readonly explanation: unknown;
}

export interface CallTrace {
  readonly requestId: string;
  readonly eventId: string;
  readonly operation: string;
  readonly principalArn: string;
  readonly accountId: string;
  readonly region: string;
  readonly source: string;
  /** Set when an AWS service made the call on the principal's behalf (`s3.us-east-1.amazonaws.com`). */
  readonly viaService?: string;
  /** Simulated time of the call, epoch ms. */
  readonly time: number;
  readonly keyArns: readonly string[];
  readonly hops: readonly TraceHop[];
  readonly outcome: 'success' | 'denied' | 'error';
  readonly error?: { readonly code: string; readonly message: string };
  readonly authorization?: AuthorizationTrace;
}
