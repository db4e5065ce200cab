import { describe, expect, it } from 'vitest';
import { answerOffer, createOffer, isHold, readAnswer } from './sdp.js';

const local = { address: '10.0.0.5', port: 20000, sessionId: 42, version: 1 };

function offer(mLine: string, extra = '') {
  return `v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n${mLine}\r\n${extra}`;
}

describe('SDP offer/answer', () => {
  it("answers with the offerer's first G.711 codec and its telephone-event type", () => {
    const r = answerOffer(
      offer(
        'm=audio 6000 RTP/AVP 18 8 0 96',
        'a=rtpmap:18 G729/8000\r\na=rtpmap:96 telephone-event/8000\r\n',
      ),
      local,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.remote).toEqual({
      address: '192.0.2.1',
      port: 6000,
      codec: 'PCMA',
      payloadType: 8,
      dtmfPayloadType: 96,
      direction: 'sendrecv',
    });
    expect(r.answer).toContain('m=audio 20000 RTP/AVP 8 96\r\n');
    expect(r.answer).toContain('a=rtpmap:96 telephone-event/8000');
    expect(r.answer).toContain('c=IN IP4 10.0.0.5');
  });

  it('reads dynamic payload types named PCMU', () => {
    const r = answerOffer(offer('m=audio 6000 RTP/AVP 110', 'a=rtpmap:110 PCMU/8000\r\n'), local);
    expect(r.ok && r.remote.codec).toBe('PCMU');
  });

  it.each([
    ['no G.711', offer('m=audio 6000 RTP/AVP 18 9')],
    ['SRTP only', offer('m=audio 6000 RTP/SAVP 0')],
    ['no audio', offer('m=video 6000 RTP/AVP 96')],
  ])('refuses an offer with %s (488)', (_, text) => {
    expect(answerOffer(text, local)).toMatchObject({ ok: false, status: 488 });
  });

  it('refuses what is not SDP (400)', () => {
    expect(answerOffer('hello', local)).toMatchObject({ ok: false });
  });

  it('keeps one m= line per offered line, refusing video with port 0', () => {
    const r = answerOffer(offer('m=audio 6000 RTP/AVP 0\r\nm=video 6002 RTP/AVP 96'), local);
    expect(r.ok && r.answer).toMatch(/m=audio 20000 RTP\/AVP 0\r\n[\s\S]*m=video 0 RTP\/AVP 96/);
  });

  it('answers a hold (sendonly) with recvonly, and sees it as a hold', () => {
    const r = answerOffer(offer('m=audio 6000 RTP/AVP 0', 'a=sendonly\r\n'), local);
    expect(r.ok && r.answer).toContain('a=recvonly');
    expect(r.ok && isHold(r.remote)).toBe(true);
  });

  it('reads the answer to our own offer', () => {
    const ours = createOffer(local);
    expect(ours).toContain('m=audio 20000 RTP/AVP 0 8 101');
    const answer = offer('m=audio 7000 RTP/AVP 8 101', 'a=rtpmap:101 telephone-event/8000\r\n');
    expect(readAnswer(answer)).toMatchObject({ port: 7000, codec: 'PCMA', dtmfPayloadType: 101 });
  });
});
