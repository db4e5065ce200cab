// Channels own a tenant's configured contact channels (webchat, e-mail, SMS, WeChat, …).
// Today that is their configuration and webhook address; one adapter per provider, behind the
// ChannelAdapter contract, comes in later issues.
export {
  CHANNEL_TYPES,
  type Channel,
  type ChannelChanges,
  type ChannelConfig,
  type ChannelDeps,
  type ChannelType,
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  type NewChannel,
  updateChannel,
} from './channels.js';
export type * from './contract.js';
export { adapterFor, type RegisteredAdapter, registeredAdapters } from './registry.js';
export { MASK } from './secrets.js';
