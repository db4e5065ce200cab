// The agent's typing, shown to the customer: "typing" when they start and again at most every 3 s while
// they go on, "stopped" after a 2.5 s pause, on a send, on switching to a note or leaving the
// conversation. A server without the endpoint (404, 405) is not asked again.
import { useCallback, useEffect, useRef } from 'react';
import { ApiError, api } from '../shared/api';
import type { ComposerMode } from './Composer';

export function useTypingIndicator(conversationId: string, mode: ComposerMode) {
  const typing = useRef({
    on: false,
    last: 0,
    timer: undefined as ReturnType<typeof setTimeout> | undefined,
    off: false,
  });
  const sendTyping = useCallback(
    (on: boolean) => {
      if (typing.current.off) return;
      api('POST', `/api/v1/conversations/${conversationId}/typing`, { typing: on }).catch((e) => {
        if (e instanceof ApiError && (e.status === 404 || e.status === 405)) typing.current.off = true;
      });
    },
    [conversationId],
  );
  const stopTyping = useCallback(() => {
    const s = typing.current;
    clearTimeout(s.timer);
    if (s.on) {
      s.on = false;
      sendTyping(false);
    }
  }, [sendTyping]);
  const typed = () => {
    if (mode !== 'reply') return;
    const s = typing.current;
    const now = Date.now();
    if (!s.on || now - s.last > 3000) {
      s.on = true;
      s.last = now;
      sendTyping(true);
    }
    clearTimeout(s.timer);
    s.timer = setTimeout(stopTyping, 2500);
  };
  useEffect(() => stopTyping, [stopTyping]);
  useEffect(() => {
    if (mode === 'note') stopTyping();
  }, [mode, stopTyping]);
  return { typed, stopTyping };
}
