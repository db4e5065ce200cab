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
  type InboundMessage,
  listMessages,
  type Message,
  type NewReply,
  postReply,
  type Received,
  receiveInbound,
} from './messages.js';
