// SIP for the voice module: UDP and TCP transports of our own, a strict validation gate, the `sip`
// package's parser and transaction layer, and the call legs the call control drives: INVITEs we answer
// (UAS) and INVITEs we send (UAC).
export type { IncomingInvite, InviteState } from './call-leg.js';
export { type Dialog, type DialogEnd, DialogEnded, type ReinviteAnswer } from './dialog.js';
export type { Flow, NameAddr, SipRequest, SipResponse, SipTransport } from './message.js';
export {
  BadTarget,
  InviteFailed,
  type InviteFailure,
  type InviteOptions,
  type OutgoingInvite,
  type OutgoingState,
  targetFlow,
} from './outgoing.js';
export {
  createSipStack,
  type RateLimit,
  type SipStack,
  type SipStackOptions,
  type SipStats,
} from './stack.js';
export { PortInUse } from './transport.js';
export { type Inbound, readMessage } from './validate.js';
