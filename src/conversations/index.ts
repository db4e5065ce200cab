// Conversations and their messages, whatever the channel; later also the unified customer
// timeline. An inbound message continues the customer's open conversation across channels.
export {
  CONVERSATION_STATUSES,
  type Conversation,
  type ConversationChanges,
  type ConversationFilter,
  type ConversationStatus,
  createConversation,
  getConversation,
  listConversations,
  type NewConversation,
  updateConversation,
} from './conversations.js';
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
} from './messages.js';
export { customerTimeline, type TimelineEntry } from './timeline.js';
