export interface OutgoingItem {
  topic: string;
  payload: string;
  retain: boolean;
}

/**
 * What waits while the broker is away: retained state latest-wins per topic (it is all re-published
 * on connect anyway), and events in a bounded FIFO that drops the oldest and counts what it dropped.
 */
export class OutgoingQueue {
  private readonly retained = new Map<string, string>();
  private events: OutgoingItem[] = [];
  dropped = 0;

  constructor(private readonly maxEvents: number) {}

  setRetained(topic: string, payload: string): void {
    this.retained.set(topic, payload);
  }

  pushEvent(item: OutgoingItem): void {
    this.events.push(item);
    if (this.events.length > this.maxEvents) {
      this.events.shift();
      this.dropped++;
    }
  }

  get depth(): number {
    return this.events.length;
  }

  /** State first, so a controller that reconnects sees the present before the backlog of events. */
  drainForConnect(): OutgoingItem[] {
    const items: OutgoingItem[] = [...this.retained].map(([topic, payload]) => ({ topic, payload, retain: true }));
    items.push(...this.events);
    this.events = [];
    return items;
  }
}
