import type { RealtimePush } from './contract.js';

/**
 * Sockets of first-party channels (web chat widget, mobile app) by channel and recipient, so an
 * adapter's `send` can push to them. One recipient may have several sockets (tabs, devices).
 * Local to this process: in a cluster a customer's socket is on one node, and a push from another
 * node answers `offline`; the client then gets the message from history when it asks.
 */
export interface RealtimeSocket {
  /** Sends one JSON frame; false when the socket's buffer is too full to take more now. */
  send(frame: Record<string, unknown>): boolean;
}

export interface RealtimeHub extends RealtimePush {
  /** Registers a socket; call the returned function when it closes. */
  attach(channelId: string, recipient: string, socket: RealtimeSocket): () => void;
  connected(channelId: string, recipient: string): number;
}

export function createRealtimeHub(): RealtimeHub {
  const sockets = new Map<string, Set<RealtimeSocket>>();
  const key = (channelId: string, recipient: string) => `${channelId}\u0000${recipient}`;
  return {
    attach(channelId, recipient, socket) {
      const k = key(channelId, recipient);
      const set = sockets.get(k) ?? new Set<RealtimeSocket>();
      sockets.set(k, set);
      set.add(socket);
      return () => {
        set.delete(socket);
        if (set.size === 0) sockets.delete(k);
      };
    },
    connected(channelId, recipient) {
      return sockets.get(key(channelId, recipient))?.size ?? 0;
    },
    async push(channelId, recipient, frame) {
      const set = sockets.get(key(channelId, recipient));
      if (!set?.size) return 'offline';
      let accepted = 0;
      for (const s of set) if (s.send(frame)) accepted++;
      return accepted > 0 ? 'delivered' : 'busy';
    },
  };
}
