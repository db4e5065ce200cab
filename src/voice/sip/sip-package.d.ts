// Types for the parts of the `sip` package (0.0.6, plain CommonJS, no types of its own) that we use:
// its parser and serializer, and its transaction layer (RFC 3261 §17 state machines and timers).
declare module 'sip' {
  export interface PackageMessage {
    method?: string;
    uri?: string;
    status?: number;
    reason?: string;
    version?: string;
    headers: Record<string, unknown>;
    content?: string;
  }

  /** What the transaction layer sends through: one flow to one peer. */
  export interface PackageConnection {
    send(message: PackageMessage): void;
    release(): void;
    protocol: string;
  }

  export interface PackageServerTransaction {
    send(response: PackageMessage): void;
    message(request: PackageMessage): void;
    shutdown(): void;
  }

  export interface PackageClientTransaction {
    message(response: PackageMessage, remote?: unknown): void;
    shutdown(): void;
  }

  export interface PackageTransactionLayer {
    createServerTransaction(request: PackageMessage, connection: PackageConnection): PackageServerTransaction;
    createClientTransaction(
      connection: PackageConnection,
      request: PackageMessage,
      callback: (response: PackageMessage) => void,
    ): PackageClientTransaction;
    getServer(message: PackageMessage): PackageServerTransaction | undefined;
    getClient(message: PackageMessage): PackageClientTransaction | undefined;
    destroy(): void;
  }

  interface SipPackage {
    parse(data: Buffer | string): PackageMessage | undefined;
    stringify(message: PackageMessage): string;
    makeResponse(
      request: PackageMessage,
      status: number,
      reason?: string,
      extension?: { headers?: Record<string, unknown>; content?: string },
    ): PackageMessage;
    makeTransactionLayer(
      options: Record<string, unknown>,
      open: (target: unknown, onError?: (err: Error) => void) => PackageConnection,
    ): PackageTransactionLayer;
    parseUri(uri: string): Record<string, unknown> | undefined;
    /** The package's whole stack with its own transports (the benchmark's bare answerer uses it). */
    create(
      options: { port: number; address: string; udp?: boolean; tcp?: boolean },
      onRequest: (request: PackageMessage, remote: unknown) => void,
    ): { send(message: PackageMessage): void; destroy(): void };
    generateBranch(): string;
  }

  const sip: SipPackage;
  export default sip;
}

// The package's digest authentication (RFC 2617 / RFC 3261 §22): we sign requests a trunk challenges.
declare module 'sip/digest.js' {
  import type { PackageMessage } from 'sip';

  /** What the package keeps between a challenge and the requests it signs (nonce, nc, cnonce, …). */
  export type DigestContext = Record<string, unknown>;

  interface Digest {
    /**
     * Adds Authorization (401) or Proxy-Authorization (407) to `request`, answering the challenge in
     * `response`. Throws when the challenge cannot be answered (no Digest challenge, a qop it lacks).
     */
    signRequest(
      context: DigestContext,
      request: PackageMessage,
      response: PackageMessage | undefined,
      credentials: { user: string; password: string; realm?: string },
    ): DigestContext | null;
  }

  const digest: Digest;
  export default digest;
}
