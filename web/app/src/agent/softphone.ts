// The agent's browser softphone: one standing WebRTC line to the server (microphone out, the caller's
// voice in), and the call the ACD put on it. The server cannot hang up over WebRTC, so the line's and
// the call's state come from the API and the call.* live events; the peer connection only says whether
// media flows.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get, getToken, post } from '../shared/api';
import type { Me } from '../shared/auth';
import { useLiveEvents } from '../shared/live';
import { useFail, useRefresh } from './hooks';

/** A call after the IVR as GET /api/v1/voice/calls shows it. */
export interface ActiveCall {
  /** in: the customer called; out: the agent called the customer. */
  direction?: 'in' | 'out';
  conversationId: string;
  customerId: string;
  taskId: string;
  callId: string;
  from: string;
  to: string;
  state: 'queued' | 'callback' | 'connecting' | 'connected' | 'held' | 'conference' | 'ended';
  agentId?: string;
  device?: 'webrtc' | 'sip';
  queuedAt: string;
  connectedAt?: string;
  /** The colleague the agent is consulting while the caller waits on hold. */
  consult?: { agentId: string; state: 'ringing' | 'connected' };
  /** In a conference: the two agents with the caller. */
  participants?: string[];
}

/** Is this agent on the call: the one it is given to, the colleague consulted, or in its conference? */
export function involves(call: ActiveCall, agentId: string): boolean {
  return (
    call.agentId === agentId ||
    call.consult?.agentId === agentId ||
    (call.participants?.includes(agentId) ?? false)
  );
}

interface LineView {
  lineId: string;
  state: 'connecting' | 'up';
  muted: boolean;
  call?: ActiveCall;
}

/**
 * off: never connected (or closed); failed: it dropped or was refused, reconnect offered;
 * unavailable: this server has no voice (or no browser softphone), so there is no phone to show.
 */
export type PhoneStatus = 'off' | 'connecting' | 'ready' | 'failed' | 'unavailable';

export interface Softphone {
  status: PhoneStatus;
  /** Why the last connect failed (the browser's or the server's words). */
  error: string | undefined;
  muted: boolean;
  /** The call given to this agent (on this line, or on their SIP desk phone). */
  call: ActiveCall | undefined;
  busy: boolean;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  setMuted(muted: boolean): Promise<boolean>;
  hold(): Promise<boolean>;
  resume(): Promise<boolean>;
  hangup(): Promise<boolean>;
  /** Click-to-call: the agent hears ringback, then the customer; false when the server refused it. */
  /** Calls a number, or (`{identityId}`) one of a customer's phone identities. */
  dial(number: string | { identityId: string }, customerId?: string): Promise<ActiveCall | undefined>;
  /** The caller waits on hold while the agent talks to a colleague (their phones bridged). */
  consult(agentId: string): Promise<boolean>;
  /** Attended transfer: the colleague consulted keeps the caller; this agent is free. */
  completeTransfer(): Promise<boolean>;
  /** Ends the consultation and goes back to the caller. */
  cancelConsult(): Promise<boolean>;
  /** The caller, this agent and the colleague consulted all hear each other. */
  conference(): Promise<boolean>;
  /** Leaves the conference; the other agent stays with the caller. */
  leave(): Promise<boolean>;
  /** Re-reads the call (after a transfer the modal made). */
  refresh(): void;
  /** The element the caller's voice plays in. */
  audioRef: React.RefObject<HTMLAudioElement | null>;
}

/** What the browser tests read: the peer connection of the line, when there is one. */
declare global {
  interface Window {
    __sbSoftphone?: { pc: RTCPeerConnection | undefined };
  }
}

const LIVE_STATES = new Set(['connecting', 'connected', 'held', 'conference']);

function iceGathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', done);
  });
}

/** Best effort, and still sent while the page unloads (keepalive), with the token captured at connect. */
function closeLine(token: string | null): void {
  if (!token) return;
  void fetch('/api/v1/voice/softphone', {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
    keepalive: true,
  }).catch(() => undefined);
}

export function useSoftphone(me: Me): Softphone {
  const fail = useFail();
  const [status, setStatus] = useState<PhoneStatus>('off');
  const [error, setError] = useState<string | undefined>();
  const [muted, setMutedState] = useState(false);
  const [call, setCall] = useState<ActiveCall | undefined>();
  const [busy, setBusy] = useState(false);
  const pc = useRef<RTCPeerConnection | undefined>(undefined);
  const stream = useRef<MediaStream | undefined>(undefined);
  const token = useRef<string | null>(null);
  const audioRef = useRef<HTMLAudioElement | null>(null);
  const callRef = useRef(call);
  callRef.current = call;

  const teardown = useCallback(() => {
    const old = pc.current;
    pc.current = undefined;
    if (window.__sbSoftphone) window.__sbSoftphone.pc = undefined;
    if (old) old.close();
    for (const track of stream.current?.getTracks() ?? []) track.stop();
    stream.current = undefined;
    if (audioRef.current) audioRef.current.srcObject = null;
  }, []);

  const loadCall = useCallback(() => {
    get<{ items: ActiveCall[] }>('/api/v1/voice/calls')
      .then((r) => setCall(r.items.find((c) => involves(c, me.id) && LIVE_STATES.has(c.state)) ?? undefined))
      .catch((e: unknown) => {
        // A server without voice: no phone to show. (A line left by an earlier page is not ours: its
        // peer connection died with that page, and the line ends on its own.)
        if (e instanceof ApiError && e.status === 503 && !pc.current) setStatus('unavailable');
      });
  }, [me.id]);

  /** Our line as the server sees it: gone means the peer connection is dead too. */
  const checkLine = useCallback(() => {
    if (!pc.current) return;
    get<LineView>('/api/v1/voice/softphone')
      .then((line) => setMutedState(line.muted))
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404 && pc.current) {
          teardown();
          setStatus('failed');
        }
      });
  }, [teardown]);

  useEffect(loadCall, [loadCall]);
  useRefresh(() => {
    loadCall();
    checkLine();
  });

  useLiveEvents(['call.*'], (e) => {
    const p = e.payload as { conversationId?: string };
    // The agent may be named as agentId, from, to (agent:…), with (a consultation) or a participant.
    const mine =
      JSON.stringify(e.payload).includes(me.id) ||
      (p.conversationId !== undefined && p.conversationId === callRef.current?.conversationId);
    if (!mine) return;
    loadCall();
    if (e.type === 'call.agent_unreachable') checkLine();
  });

  const connect = useCallback(async () => {
    teardown();
    setBusy(true);
    setError(undefined);
    setStatus('connecting');
    try {
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      stream.current = media;
      const peer = new RTCPeerConnection();
      pc.current = peer;
      window.__sbSoftphone = { pc: peer };
      for (const track of media.getAudioTracks()) peer.addTrack(track, media);
      peer.addEventListener('track', (ev) => {
        const el = audioRef.current;
        if (!el) return;
        el.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
        void el.play().catch(() => undefined);
      });
      peer.addEventListener('connectionstatechange', () => {
        if (pc.current !== peer) return;
        if (peer.connectionState === 'connected') setStatus('ready');
        else if (peer.connectionState === 'failed' || peer.connectionState === 'closed') {
          teardown();
          setStatus('failed');
        }
      });
      await peer.setLocalDescription(await peer.createOffer());
      await iceGathered(peer);
      token.current = getToken();
      const answer = await post<{ lineId: string; sdp: string }>('/api/v1/voice/softphone', {
        sdp: peer.localDescription?.sdp ?? '',
      });
      if (pc.current !== peer) return;
      await peer.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      setMutedState(false);
      if (peer.connectionState === 'connected') setStatus('ready');
    } catch (e) {
      teardown();
      setStatus('failed');
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }, [teardown]);

  const disconnect = useCallback(async () => {
    const had = !!pc.current;
    teardown();
    setStatus('off');
    if (had) closeLine(token.current);
  }, [teardown]);

  // Leaving the page or signing out closes the line (the closed peer connection would end it too).
  useEffect(() => {
    const onHide = () => {
      if (pc.current) closeLine(token.current);
    };
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      if (pc.current) closeLine(token.current);
      teardown();
    };
  }, [teardown]);

  /** Runs one call action; false when it failed (and the agent was told why). */
  const act = useCallback(
    async (fn: () => Promise<unknown>): Promise<boolean> => {
      setBusy(true);
      try {
        await fn();
        return true;
      } catch (e) {
        fail(e);
        return false;
      } finally {
        setBusy(false);
        loadCall();
      }
    },
    [fail, loadCall],
  );

  const setMuted = useCallback(
    (on: boolean) =>
      act(async () => {
        // The track stays and sends silence: a line without RTP for 30 s is ended by the server.
        for (const track of stream.current?.getAudioTracks() ?? []) track.enabled = !on;
        setMutedState(on);
        const line = await post<LineView>('/api/v1/voice/softphone/mute', { muted: on });
        setMutedState(line.muted);
      }),
    [act],
  );

  const onCall = (
    verb: 'hold' | 'resume' | 'hangup' | 'consult/complete' | 'consult/cancel' | 'conference' | 'leave',
  ) =>
    act(async () => {
      const c = callRef.current;
      if (c) await post(`/api/v1/voice/calls/${c.conversationId}/${verb}`, {});
    });

  const dial = useCallback(
    async (number: string | { identityId: string }, customerId?: string): Promise<ActiveCall | undefined> => {
      setBusy(true);
      try {
        const placed = await post<ActiveCall>('/api/v1/voice/calls', {
          ...(typeof number === 'string' ? { number } : number),
          ...(customerId && { customerId }),
        });
        setCall(placed);
        return placed;
      } catch (e) {
        fail(e);
        return undefined;
      } finally {
        setBusy(false);
        loadCall();
      }
    },
    [fail, loadCall],
  );

  const consult = (agentId: string) =>
    act(async () => {
      const c = callRef.current;
      if (!c) return;
      setCall(await post<ActiveCall>(`/api/v1/voice/calls/${c.conversationId}/consult`, { agentId }));
    });

  return {
    status,
    error,
    muted,
    call,
    busy,
    connect,
    disconnect,
    setMuted,
    hold: () => onCall('hold'),
    resume: () => onCall('resume'),
    hangup: () => onCall('hangup'),
    dial,
    consult,
    completeTransfer: () => onCall('consult/complete'),
    cancelConsult: () => onCall('consult/cancel'),
    conference: () => onCall('conference'),
    leave: () => onCall('leave'),
    refresh: loadCall,
    audioRef,
  };
}
