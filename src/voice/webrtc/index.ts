// WebRTC for the voice module: an agent's browser softphone answered by werift and joined to the media
// engine, so a browser leg bridges, plays and records like a SIP leg.
export {
  createWebRtcGateway,
  type WebRtcAnswer,
  type WebRtcGateway,
  type WebRtcGatewayOptions,
} from './gateway.js';
export { WebRtcLeg } from './leg.js';
export { WebRtcOfferInvalid } from './offer.js';
