// One SIP dialog (RFC 3261 §12), whether we answered the INVITE (UAS) or sent it (UAC): who is on the
// other side, the numbers that order our requests, and what the call above it is told (BYE, INFO, a
// re-INVITE, its end).
import type { Flow, NameAddr, SipRequest } from './message.js';

/** Why a dialog ended. */
export type DialogEnd =
  /** The caller sent BYE. */
  | 'remote-bye'
  /** We sent BYE. */
  | 'local-bye'
  /** Our 200 OK was never acknowledged (RFC 3261 §13.3.1.4: 64·T1). */
  | 'ack-timeout'
  | 'shutdown';

/** Why an answer's promise failed: the dialog ended before the ACK came. */
export class DialogEnded extends Error {
  constructor(readonly why: DialogEnd) {
    super(`dialog ended (${why}) before the ACK`);
  }
}

/** What a re-INVITE's handler answers: an SDP answer, or a status to refuse it with (488, 491, …). */
export type ReinviteAnswer = { sdp: string } | { status: number };

export interface Dialog {
  readonly id: string;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** The other party: their From when they called, their To when we did. */
  readonly remote: NameAddr;
  /** Where our requests in this dialog go (the flow the INVITE came in on; for ours, the 2xx's Contact). */
  readonly flow: Flow;
  /** The remote side's latest SDP (from the INVITE, or the ACK when the INVITE had none; for ours, the 2xx). */
  readonly remoteSdp: string | undefined;
  readonly ended: DialogEnd | undefined;
  /** Sends BYE; resolves with the final status (408 when nobody answered it). */
  bye(): Promise<number>;
  onEnded(listener: (why: DialogEnd) => void): void;
  /** An INFO in the dialog (already answered 200): DTMF as `application/dtmf-relay`, for example. */
  onInfo(listener: (request: SipRequest) => void): void;
  /** A re-INVITE (hold, resume, a new address). Without a handler it is refused with 488. */
  onReinvite(handler: (offer: string | undefined) => ReinviteAnswer): void;
}

/** Dialogs by Call-ID and both tags, as an in-dialog request from the peer names them. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}
