// The contact-centre side of voice: queueing after the IVR, connecting calls to agents' phones,
// hold, transfer and hang-up, and the call events of the customer's timeline.
export {
  type ActiveCallState,
  type ActiveCallView,
  type CallRecorder,
  type Dialer,
  type LineView,
  type RecordingHandle,
  type TransferTarget,
  VoiceCenter,
  type VoiceCenterDeps,
} from './center.js';
export { type AgentPhone, agentPhoneOf, getAgentPhone, setAgentPhone } from './phones.js';
export { type CallRecorderDeps, createCallRecorder } from './recording.js';
export {
  getVoiceSettings,
  type Trunk,
  trunkOf,
  updateVoiceSettings,
  type VoiceSettings,
  type VoiceSettingsInput,
} from './settings.js';
export {
  announcementParts,
  announcementText,
  holdMusic,
  type QueueStanding,
  QueueTreatment,
} from './treatment.js';
