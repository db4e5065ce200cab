// Call recording: the encrypted file format (AES-256-GCM chunks under a per-recording data key that the
// master key wraps), the recorder that writes a call's two sides into it, and the rows that find them.
export {
  openRecordingBytes,
  pcmToWav,
  RecordingUnreadable,
  readRecording,
  unwrapDataKey,
} from './format.js';
export { type Recorder, type RecorderDeps, type RecordingFile, startRecording } from './recorder.js';
export {
  type CallRecording,
  DEFAULT_PLAYBACK_ROLES,
  listRecordings,
  type NewRecording,
  openRecording,
  playbackRoles,
  type RecordingStoreDeps,
  recordingsDir,
  recordingsRoot,
  saveRecording,
} from './store.js';
