// Legs talking together (three-way calls, a consultation joined into the call): each leg's media session
// goes into one mixer of the engine, so everyone hears everyone else. Bridging is for two; this is for more.
import { EventEmitter } from 'node:events';
import type { Leg } from './leg.js';
import type { Mixer } from './media/index.js';

export interface ConferenceEventMap {
  joined: [leg: Leg];
  /** The leg left: `leave`, its own `unbridge`/`bridge`, hanging up, or the conference closing. */
  left: [leg: Leg];
}

/**
 * A conference over one mixer (`new Conference(media.createMixer())`). A leg in it has state 'bridged' and
 * no `bridgedTo`; bridging it to another leg, unbridging it, or its end takes it out.
 */
export class Conference extends EventEmitter<ConferenceEventMap> {
  private readonly members: Leg[] = [];
  private isClosed = false;

  constructor(readonly mixer: Mixer) {
    super();
  }

  get legs(): readonly Leg[] {
    return this.members;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Takes an answered (or held, or bridged) leg out of its bridge or other conference and into this one. */
  join(leg: Leg): void {
    if (this.isClosed) throw new Error('the conference is closed');
    if (leg.conference === this) return;
    if (leg.state !== 'answered' && leg.state !== 'bridged' && leg.state !== 'held')
      throw new Error(`cannot join a leg that is ${leg.state}`);
    leg.unbridge();
    this.mixer.add(leg.media);
    this.members.push(leg);
    leg.setConference(this);
    this.emit('joined', leg);
  }

  /** The leg goes back to being on its own (answered); a no-op if it is not in this conference. */
  leave(leg: Leg): void {
    const i = this.members.indexOf(leg);
    if (i < 0) return;
    this.members.splice(i, 1);
    leg.setConference(undefined);
    this.mixer.remove(leg.media);
    this.emit('left', leg);
  }

  /** Every leg leaves (none is hung up) and the mixer closes. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const leg of [...this.members]) this.leave(leg);
    this.mixer.close();
  }
}
