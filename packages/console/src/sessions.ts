import { randomBytes } from 'node:crypto';

export interface Session {
  token: string;
  operator: string;
  address: string;
  expiresAt: number;
}

const MAX_SESSIONS = 1000;

/**
 * Logged-in operators by random token. A session expires `ttlMs` after login (not extended by use:
 * a phone left on a shelf logs itself out); expired ones are dropped when looked at.
 */
export class Sessions {
  private readonly byToken = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(operator: string, address: string): Session {
    this.sweep();
    if (this.byToken.size >= MAX_SESSIONS) this.byToken.delete(this.byToken.keys().next().value!);
    const session = {
      token: randomBytes(24).toString('base64url'),
      operator,
      address,
      expiresAt: this.now() + this.ttlMs,
    };
    this.byToken.set(session.token, session);
    return session;
  }

  get(token: string | undefined): Session | null {
    if (!token) return null;
    const s = this.byToken.get(token);
    if (!s) return null;
    if (s.expiresAt <= this.now()) {
      this.byToken.delete(token);
      return null;
    }
    return s;
  }

  end(token: string | undefined): void {
    if (token) this.byToken.delete(token);
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, s] of this.byToken) if (s.expiresAt <= now) this.byToken.delete(token);
  }
}
