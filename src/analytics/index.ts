// Analytics owns reports over what already happened, read from other modules' tables: wallboard
// charts of conversation volume per channel and queue activity per time bucket. Read-only.

export { type QueueFigures, type QueueReport, queueActivity } from './queues.js';
export { conversationVolume, type VolumeReport } from './volume.js';
export { MAX_BUCKETS, type Window, windowOf } from './window.js';
