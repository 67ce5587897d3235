/**
 * Events put on another account's event bus, which moto neither authorizes nor delivers faithfully
 * (moto 5.2.1 puts them on the other bus with no policy check, and stamps them with the receiving
 * account, so a rule matching the sender's `account` never fires: moto/events/models.py
 * `send_to_targets`, `put_events`).
 *
 * What EventBridge does, and this does:
 * - The receiving bus's resource-based policy decides each entry: `events:PutEvents` on the bus, for
 *   the caller (its account, `aws:PrincipalArn`), with `events:source` and `events:detail-type` as
 *   condition keys (EventBridge User Guide, "Using resource-based policies for Amazon EventBridge"
 *   and "Sending and receiving events between AWS accounts in Amazon EventBridge").
 * - A refused entry fails alone, with `AccessDeniedException` (EventBridge API Reference,
 *   PutEventsResultEntry: a non-retryable error); the others go through.
 * - An accepted event keeps the sender's account: rules in the receiving account match "events that
 *   come from the sender account" (the cross-account page above).
 * - An event received from another account is not forwarded again to a third one (same page).
 */
import { randomUUID } from 'node:crypto';
import { accessDenied, evaluate, type PolicyDocument, parseArn, requestPrincipal } from './access';
import type { MotoClient } from './moto-client';
import { type CallContext, inAccount } from './protocol';

type Json = Record<string, unknown>;

/** An event as EventBridge hands it to a rule's targets. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** Called with each event accepted onto a bus of another account than its sender's. */
export type BusListener = (busArn: string, event: BusEvent) => Promise<void>;

export interface CrossAccountDelivery {
  readonly busArn: string;
  readonly event: BusEvent;
}

export class EventBuses {
  /** Every event accepted across accounts, in order (GET /_local/events shows them). */
  readonly delivered: CrossAccountDelivery[] = [];
  private readonly listeners: BusListener[] = [];

  constructor(private readonly moto: MotoClient) {}

  onEvent(listener: BusListener): void {
    this.listeners.push(listener);
  }

  reset(): void {
    this.delivered.length = 0;
  }

  /**
   * PutEvents with entries naming another account's bus by ARN: each of those is decided by that
   * bus's policy and delivered here; entries for the caller's own buses are put on moto's as they came.
   * Undefined when no entry names another account's bus (the request goes to moto unchanged).
   */
  async putEvents(ctx: CallContext, body: Json): Promise<Json | undefined> {
    const entries = (body.Entries as Json[] | undefined) ?? [];
    const foreign = (e: Json) => {
      const arn = typeof e.EventBusName === 'string' ? parseArn(e.EventBusName) : undefined;
      return arn && arn.account !== ctx.account ? (e.EventBusName as string) : undefined;
    };
    if (!entries.some(foreign)) return undefined;
    const own = entries.filter((e) => !foreign(e));
    const ownResults = own.length
      ? ((await this.moto.events<{ Entries?: Json[] }>(ctx, 'PutEvents', { ...body, Entries: own }))
          .Entries ?? [])
      : [];
    const results: Json[] = [];
    for (const entry of entries) {
      const busArn = foreign(entry);
      if (!busArn) {
        results.push(ownResults.shift() ?? {});
        continue;
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': String(entry.DetailType ?? ''),
        source: String(entry.Source ?? ''),
        account: ctx.account,
        time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: ctx.region,
        resources: (entry.Resources as string[] | undefined) ?? [],
        detail: JSON.parse(String(entry.Detail ?? '{}')),
      };
      const refused = await this.refusal(ctx, busArn, event);
      if (refused) {
        results.push({ ErrorCode: 'AccessDeniedException', ErrorMessage: refused });
        continue;
      }
      await this.accept(busArn, event);
      results.push({ EventId: event.id });
    }
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /**
   * A rule's event-bus target in another account, as EventBridge delivers to it with the target's
   * role (`ctx` calls as that role's session): the event as it came, or why the bus refused it.
   */
  async forward(ctx: CallContext, busArn: string, event: BusEvent): Promise<string | undefined> {
    const refused = await this.refusal(ctx, busArn, event);
    if (refused) return refused;
    await this.accept(busArn, event);
    return undefined;
  }

  /** Why the bus's policy refuses this event from this caller, or undefined when it accepts it. */
  private async refusal(ctx: CallContext, busArn: string, event: BusEvent): Promise<string | undefined> {
    const bus = parseArn(busArn);
    if (!bus) return `${busArn} is not an event bus ARN`;
    const principal = requestPrincipal(ctx);
    let policy: PolicyDocument | undefined;
    try {
      const described = await this.moto.events<{ Policy?: string }>(
        inAccount(ctx, bus.account, bus.region),
        'DescribeEventBus',
        { Name: bus.resource.replace(/^event-bus\//, '') },
      );
      policy = described.Policy ? (JSON.parse(described.Policy) as PolicyDocument) : undefined;
    } catch (error) {
      return `Event bus ${busArn} does not exist: ${(error as Error).message}`;
    }
    const decision = evaluate(policy, principal, 'events:PutEvents', busArn, {
      'events:source': event.source,
      'events:detail-type': event['detail-type'],
    });
    return decision === 'allow'
      ? undefined
      : accessDenied(principal, 'events:PutEvents', busArn, decision).message;
  }

  private async accept(busArn: string, event: BusEvent): Promise<void> {
    this.delivered.push({ busArn, event });
    for (const listener of this.listeners) await listener(busArn, event);
  }
}
