import type { PlatformLogger } from '../logging/logger';
import { BusNoResponderError, BusRequestError, BusTimeoutError } from './bus.errors';
import type { Bus, BusHandler, BusMessage, BusResponder, BusSubscription } from './bus.port';
import { subjectMatches } from './subject-match';

type Reply = (outcome: { data: Uint8Array } | { error: string }) => void;

interface Member {
  readonly pattern: string;
  readonly queue: string | undefined;
  active: boolean;
  deliver(message: BusMessage, reply: Reply | undefined): void;
}

/** A subscriber: handles its messages one at a time, in the order they were published. */
class HandlerMember implements Member {
  public active = true;
  private readonly backlog: BusMessage[] = [];
  private draining = false;

  public constructor(
    public readonly pattern: string,
    public readonly queue: string | undefined,
    private readonly handler: BusHandler,
    private readonly logger: PlatformLogger | undefined,
  ) {}

  public deliver(message: BusMessage): void {
    this.backlog.push(message);
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.active && this.backlog.length > 0) {
      const message = this.backlog.shift()!;
      try {
        await this.handler(message);
      } catch (error) {
        this.logger?.error({ err: error, subject: message.subject }, 'bus handler failed');
      }
    }
    this.draining = false;
  }
}

/** A responder: answers each request on its own, concurrently with the others. */
class ResponderMember implements Member {
  public active = true;

  public constructor(
    public readonly pattern: string,
    public readonly queue: string | undefined,
    private readonly responder: BusResponder,
    private readonly logger: PlatformLogger | undefined,
  ) {}

  public deliver(message: BusMessage, reply: Reply | undefined): void {
    setImmediate(() => void this.answer(message, reply));
  }

  private async answer(message: BusMessage, reply: Reply | undefined): Promise<void> {
    if (!this.active) return;
    try {
      const data = await this.responder(message);
      reply?.({ data });
    } catch (error) {
      this.logger?.warn({ err: error, subject: message.subject }, 'bus responder failed');
      reply?.({ error: String((error as Error)?.message ?? error) });
    }
  }
}

/**
 * In-process Bus adapter: NATS semantics (wildcards, queue groups served round-robin,
 * request/reply with the first answer winning) within one process, for the standalone mode and tests.
 */
export class InProcessBus implements Bus {
  public readonly kind = 'in-process' as const;
  private members: Member[] = [];
  private readonly nextInGroup = new Map<string, number>();

  public constructor(private readonly options: { logger?: PlatformLogger } = {}) {}

  public async publish(subject: string, data: Uint8Array): Promise<void> {
    for (const member of this.route(subject)) member.deliver({ subject, data: data.slice() }, undefined);
  }

  public async subscribe(subject: string, handler: BusHandler, options: { queue?: string } = {}): Promise<BusSubscription> {
    return this.add(new HandlerMember(subject, options.queue, handler, this.options.logger));
  }

  public async respond(subject: string, responder: BusResponder, options: { queue?: string } = {}): Promise<BusSubscription> {
    return this.add(new ResponderMember(subject, options.queue, responder, this.options.logger));
  }

  public request(subject: string, data: Uint8Array, options: { timeoutMs: number }): Promise<Uint8Array> {
    const targets = this.route(subject);
    // As in NATS: nobody listening fails at once; listeners that never answer make the request time out.
    if (targets.length === 0) return Promise.reject(new BusNoResponderError(subject));
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        finish();
      };
      const timer = setTimeout(() => settle(() => reject(new BusTimeoutError(subject, options.timeoutMs))), options.timeoutMs);
      const reply: Reply = (outcome) =>
        settle(() => ('data' in outcome ? resolve(outcome.data.slice()) : reject(new BusRequestError(subject, outcome.error))));
      for (const member of targets) member.deliver({ subject, data: data.slice() }, reply);
    });
  }

  public async ping(): Promise<void> {}

  public async close(): Promise<void> {
    for (const member of this.members) member.active = false;
    this.members = [];
    this.nextInGroup.clear();
  }

  private add(member: Member): BusSubscription {
    this.members.push(member);
    return {
      unsubscribe: async () => {
        member.active = false;
        this.members = this.members.filter((m) => m !== member);
      },
    };
  }

  /** Every matching plain member, plus one member of each matching queue group. */
  private route(subject: string): Member[] {
    const matching = this.members.filter((member) => subjectMatches(member.pattern, subject));
    const groups = new Map<string, Member[]>();
    const targets: Member[] = [];
    for (const member of matching) {
      if (member.queue === undefined) {
        targets.push(member);
        continue;
      }
      const group = `${member.pattern}\u0000${member.queue}`;
      groups.set(group, [...(groups.get(group) ?? []), member]);
    }
    for (const [group, members] of groups) {
      const turn = this.nextInGroup.get(group) ?? 0;
      this.nextInGroup.set(group, turn + 1);
      targets.push(members[turn % members.length]);
    }
    return targets;
  }
}
