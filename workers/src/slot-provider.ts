import { MpvSlot, type MpvSlotOptions } from './mpv-slot.js';

/** Where a zone gets its mpv slots: new ones (a cold start), or ones already running (a warm spare). */
export interface SlotProvider {
  /** A slot for these options; it may already run an mpv (then its start() does not spawn again). */
  take(opts: MpvSlotOptions): MpvSlot;
}

/** A cold start: every slot is new and spawns its mpv on start(). */
export const freshSlots: SlotProvider = { take: (opts) => new MpvSlot(opts) };

/**
 * A warm spare's slots, handed out once by role (background, speech, video) to the zone that adopts the
 * spare; a role it does not hold (an effect voice), or holds with other mpv options, gets a new slot.
 * release() closes whatever the zone did not take.
 */
export class PrespawnedSlots implements SlotProvider {
  private readonly idle = new Map<string, MpvSlot>();
  private readonly handedOut: MpvSlot[] = [];

  constructor(slots: MpvSlot[]) {
    for (const s of slots) this.idle.set(s.role, s);
  }

  take(opts: MpvSlotOptions): MpvSlot {
    const slot = this.idle.get(opts.role);
    if (!slot?.matches(opts)) return new MpvSlot(opts);
    this.idle.delete(opts.role);
    slot.adopt(opts);
    this.handedOut.push(slot);
    return slot;
  }

  /** The slots that were already running when the zone took them. */
  get adopted(): readonly MpvSlot[] {
    return this.handedOut;
  }

  /** Close what no role claimed; from now on every take() is a new slot. */
  async release(): Promise<void> {
    const surplus = [...this.idle.values()];
    this.idle.clear();
    await Promise.all(surplus.map((s) => s.close(1000)));
  }
}
