// Conversations and their messages, whatever the channel; later also the unified customer
// timeline. An inbound message continues the customer's open conversation across channels.
export { type CallerResolved, type NewCall, type RecordedCall, recordCall, resolveCaller } from './calls.js';
export {
  CONVERSATION_STATUSES,
  type Conversation,
  type ConversationChanges,
  type ConversationFilter,
  type ConversationListItem,
  type ConversationStatus,
  changeConversation,
  createConversation,
  findConversation,
  getConversation,
  listConversations,
  type NewConversation,
  toConversation,
  updateConversation,
} from './conversations.js';
export { currentConversationOf } from './current.js';
export {
  applyReceipt,
  leaseDeliveries,
  markFailed,
  markSent,
  type OutboundJob,
  scheduleRetry,
} from './delivery.js';
export { type InboundMessage, type Received, receiveInbound } from './inbound.js';
export {
  listMessages,
  type Message,
  type NewReply,
  postReply,
  type ReplyFile,
} from './messages.js';
export { markRead, type ReadMarker } from './reads.js';
export { type CallEntry, type CallPathStep, customerTimeline, type TimelineEntry } from './timeline.js';
