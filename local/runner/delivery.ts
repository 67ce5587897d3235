/**
 * Delivery, as EventBridge and Lambda do it for the local app: each rule target has a queue in
 * moto that its rule sends to; a poller per queue invokes the target's function with the event,
 * retries a failed invocation as the function's EventInvokeConfig says and then dead-letters it
 * with the error; a target on another account's bus is forwarded with the rule's role, and a
 * refusal goes to the target's dead-letter queue. Scheduled rules fire here (moto keeps them but
 * never fires them), and events accepted onto a bus from another account reach that account's rules.
 */
import { setMaxListeners } from 'node:events';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { BusEvent } from '../sagemaker/event-buses';
import { callContext } from '../sagemaker/protocol';
import type { LocalSageMaker } from '../sagemaker/server';
import { matchesPattern } from './event-pattern';
import type { FunctionPool, InvokeResult } from './function-pool';
import { type Json, type LocalLog, sleep } from './support';

export interface Invocation {
  readonly functionName: string;
  /** The account the function runs in: its stack's. */
  readonly account: string;
  readonly ruleLogicalId: string;
  readonly event: Json;
  readonly attempt: number;
  readonly outcome: InvokeResult;
  readonly startedAt: number;
}

/** An event a forwarding rule sent to another account's bus, and whether that bus took it. */
export interface Forwarding {
  readonly ruleLogicalId: string;
  readonly busArn: string;
  readonly event: Json;
  /** Why the bus refused it (the event then went to the target's dead-letter queue). */
  readonly refused?: string;
}

/** A template's function, played locally, with its retry and dead-letter settings. */
export interface LocalFunction {
  readonly account: string;
  readonly pool: FunctionPool;
  readonly maxRetries: number;
  readonly deadLetterQueueUrl?: string;
}

/** One rule target: the queue its rule sends to, and where its events go from there. */
export interface Delivery {
  readonly ruleLogicalId: string;
  readonly account: string;
  readonly queueUrl: string;
  /** `<stack>/<logical id>` of the function the rule targets, or the other account's bus. */
  readonly target:
    | { readonly kind: 'function'; readonly key: string }
    | {
        readonly kind: 'bus';
        readonly busArn: string;
        readonly ruleArn: string;
        readonly roleName: string;
        readonly deadLetterQueueUrl?: string;
      };
}

/** A rule as installed: its pattern (undefined: scheduled) and its function targets' queues. */
export interface InstalledRule {
  readonly logicalId: string;
  pattern: unknown;
  readonly queueUrls: string[];
}

/** What delivery needs from the app it runs in. */
export interface DeliveryHost {
  readonly region: string;
  readonly sagemaker: LocalSageMaker;
  readonly multiAccount: boolean;
  clients(account: string): { sqs: SQSClient; events: EventBridgeClient };
  /** The function a target names (`<stack>/<logical id>`), as currently deployed. */
  fn(key: string): LocalFunction | undefined;
  /** The rules installed on `account`'s default bus in `region`. */
  rules(account: string, region: string): readonly InstalledRule[];
  readonly log: LocalLog;
}

export interface DeliveryOptions {
  /** Waits between a failed invocation and its retries. @default [1000, 2000] */
  readonly retryDelaysMs?: readonly number[];
  /** How often a scheduled rule fires. @default 2000 */
  readonly scheduleEveryMs?: number;
}

export class EventDelivery {
  readonly invocations: Invocation[] = [];
  readonly forwardings: Forwarding[] = [];
  private readonly deliveries: Delivery[] = [];
  private readonly abort = new AbortController();
  private readonly pollers: Promise<void>[] = [];
  private readonly deliveriesInFlight = new Set<Promise<void>>();
  private inFlight = 0;

  constructor(
    private readonly host: DeliveryHost,
    private readonly options: DeliveryOptions,
  ) {
    // Every poller (one per rule target) and retry wait listens to this one signal: more than Node's
    // default of 10 listeners is expected, not a leak (the demo's app has more than 10 targets).
    setMaxListeners(0, this.abort.signal);
  }

  /** Starts delivering a rule target's queue; a scheduled rule's target also gets its events. */
  add(delivery: Delivery, scheduled: boolean): void {
    this.deliveries.push(delivery);
    this.pollers.push(this.poll(delivery));
    if (scheduled) this.pollers.push(this.scheduleEvery(delivery));
  }

  /** Whether anything is being delivered or waits in a queue. */
  async busy(): Promise<boolean> {
    return this.inFlight > 0 || (await this.queuedMessages()) > 0;
  }

  /** Stops polling and lets running deliveries finish (up to 5 s). */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.pollers);
    await Promise.race([
      Promise.allSettled([...this.deliveriesInFlight]),
      new Promise((r) => setTimeout(r, 5000).unref()),
    ]);
  }

  /**
   * An event accepted onto `busArn` from another account: to the receiving account's rules that
   * match it (their function targets' queues). Rules there that send to yet another account's bus
   * are not followed: EventBridge does not pass an event received from another account on to a
   * third ("Sending and receiving events between AWS accounts in Amazon EventBridge").
   */
  async route(busArn: string, event: BusEvent): Promise<void> {
    const [, , , region, account] = busArn.split(':');
    if (!busArn.endsWith(':event-bus/default') || !region || !account) return;
    for (const rule of this.host.rules(account, region)) {
      if (rule.queueUrls.length === 0 || !matchesPattern(rule.pattern, event)) continue;
      for (const queueUrl of rule.queueUrls) {
        await this.host
          .clients(account)
          .sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
      }
    }
  }

  /**
   * A scheduled rule's event, as EventBridge sends it (source aws.events, detail-type "Scheduled
   * Event", the rule's ARN as resource), every `scheduleEveryMs` until stop().
   */
  private async scheduleEvery(delivery: Delivery): Promise<void> {
    const signal = this.abort.signal;
    const every = this.options.scheduleEveryMs ?? 2000;
    const region = this.host.region;
    while (!signal.aborted) {
      await sleep(every, signal);
      if (signal.aborted) return;
      const event = {
        version: '0',
        id: `scheduled-${Date.now()}`,
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: delivery.account,
        time: new Date().toISOString(),
        region,
        resources: [`arn:aws:events:${region}:${delivery.account}:rule/${delivery.ruleLogicalId}`],
        detail: {},
      };
      await this.host
        .clients(delivery.account)
        .sqs.send(new SendMessageCommand({ QueueUrl: delivery.queueUrl, MessageBody: JSON.stringify(event) }))
        .catch((error: unknown) =>
          this.host.log('info', `scheduled event failed: ${(error as Error).message}`),
        );
    }
  }

  private async poll(delivery: Delivery): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let messages: { Body?: string; ReceiptHandle?: string }[] = [];
      try {
        const out = await this.host.clients(delivery.account).sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: delivery.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
          { abortSignal: signal },
        );
        messages = out.Messages ?? [];
      } catch (error) {
        if (signal.aborted) return;
        this.host.log('info', `polling ${delivery.ruleLogicalId} failed: ${(error as Error).message}`);
        await sleep(200);
        continue;
      }
      this.inFlight += messages.length;
      for (const message of messages) {
        const running: Promise<void> = this.deliver(delivery, message)
          .catch((error: unknown) => this.host.log('info', `delivery error: ${(error as Error).message}`))
          .finally(() => {
            this.inFlight -= 1;
            this.deliveriesInFlight.delete(running);
          });
        this.deliveriesInFlight.add(running);
      }
    }
  }

  private async deliver(
    delivery: Delivery,
    message: { Body?: string; ReceiptHandle?: string },
  ): Promise<void> {
    const { host } = this;
    // moto's bus leaves the envelope's `account` out; EventBridge always sets it.
    const event: Json = { account: delivery.account, ...(JSON.parse(message.Body ?? '{}') as Json) };
    await host
      .clients(delivery.account)
      .sqs.send(
        new DeleteMessageCommand({ QueueUrl: delivery.queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    if (delivery.target.kind === 'bus') return this.forward(delivery, delivery.target, event);
    const fn = host.fn(delivery.target.key);
    if (!fn) return;
    const account = host.multiAccount ? fn.account : undefined;
    host.log(
      'event',
      `${String(event['detail-type'])} ${describeEvent(event)} → ${fn.pool.spec.name}${account ? ` [${account}]` : ''}`,
      fn.pool.spec.name,
      event,
      account,
    );
    const delays = this.options.retryDelaysMs ?? [1000, 2000];
    for (let attempt = 0; attempt <= fn.maxRetries; attempt++) {
      if (this.abort.signal.aborted) return;
      const startedAt = Date.now();
      const outcome = await fn.pool.invoke(event).catch((e: Error) => ({
        ok: false as const,
        error: { name: 'Stopped', message: e.message },
        durationMs: 0,
      }));
      this.invocations.push({
        functionName: fn.pool.spec.name,
        account: fn.account,
        ruleLogicalId: delivery.ruleLogicalId,
        event,
        attempt,
        outcome,
        startedAt,
      });
      if (outcome.ok) {
        host.log(
          'result',
          `${fn.pool.spec.name} ok in ${outcome.durationMs} ms: ${JSON.stringify(outcome.result)}`,
          fn.pool.spec.name,
          outcome.result,
          account,
        );
        return;
      }
      const why = `${outcome.error.name}: ${outcome.error.message}`;
      if (attempt < fn.maxRetries) {
        const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
        host.log(
          'retry',
          `${fn.pool.spec.name} failed (${why}); retry ${attempt + 1}/${fn.maxRetries} in ${delay} ms`,
          fn.pool.spec.name,
          undefined,
          account,
        );
        await sleep(delay, this.abort.signal);
        continue;
      }
      if (this.abort.signal.aborted) return;
      if (fn.deadLetterQueueUrl) {
        await host.clients(fn.account).sqs.send(
          new SendMessageCommand({
            QueueUrl: fn.deadLetterQueueUrl,
            MessageBody: JSON.stringify(event),
            MessageAttributes: {
              ErrorCode: { DataType: 'String', StringValue: outcome.error.name },
              ErrorMessage: { DataType: 'String', StringValue: outcome.error.message.slice(0, 1000) },
            },
          }),
        );
      }
      host.log(
        'dead-letter',
        `${fn.pool.spec.name} failed ${fn.maxRetries + 1} times (${why}); event sent to its dead-letter queue`,
        fn.pool.spec.name,
        undefined,
        account,
      );
    }
  }

  /**
   * A rule's target on another account's bus, delivered as EventBridge does with the target's role:
   * the bus's policy decides (local/sagemaker/event-buses.ts). A refusal is a permissions error,
   * which EventBridge does not retry: the event goes straight to the target's dead-letter queue, with
   * the attributes EventBridge gives it (EventBridge User Guide, "Using dead-letter queues to process
   * undelivered events": RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE; CROSS_ACCOUNT_INGESTION_FAILED
   * is its code for an event another account's bus did not take).
   */
  private async forward(
    delivery: Delivery,
    target: Extract<Delivery['target'], { kind: 'bus' }>,
    event: Json,
  ): Promise<void> {
    const { host } = this;
    const as = callContext(
      `AWS4-HMAC-SHA256 Credential=${delivery.account}:role=${target.roleName}@events/20260101/${host.region}/events/aws4_request, SignedHeaders=host, Signature=0`,
      host.region,
    );
    const refused = await host.sagemaker.buses.forward(as, target.busArn, event as unknown as BusEvent);
    this.forwardings.push({
      ruleLogicalId: delivery.ruleLogicalId,
      busArn: target.busArn,
      event,
      ...(refused ? { refused } : {}),
    });
    const what = `${String(event['detail-type'])} ${describeEvent(event)}`;
    if (!refused) {
      host.log('event', `${what} forwarded from ${delivery.account} to ${target.busArn}`);
      return;
    }
    if (target.deadLetterQueueUrl) {
      const attribute = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, 1000) });
      await host.clients(delivery.account).sqs.send(
        new SendMessageCommand({
          QueueUrl: target.deadLetterQueueUrl,
          MessageBody: JSON.stringify(event),
          MessageAttributes: {
            RULE_ARN: attribute(target.ruleArn),
            TARGET_ARN: attribute(target.busArn),
            ERROR_CODE: attribute('CROSS_ACCOUNT_INGESTION_FAILED'),
            ERROR_MESSAGE: attribute(refused),
          },
        }),
      );
    }
    host.log(
      'dead-letter',
      `${what}: ${target.busArn} refused it (${refused}); event sent to the forwarding rule's dead-letter queue`,
    );
  }

  private async queuedMessages(): Promise<number> {
    let total = 0;
    for (const d of this.deliveries) {
      const out = await this.host.clients(d.account).sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: d.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      total +=
        Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    }
    return total;
  }
}

function describeEvent(event: Json): string {
  const d = (event.detail as Json | undefined) ?? {};
  if (d.ModelPackageArn) {
    return `${String(d.ModelPackageGroupName)} v${String(d.ModelPackageVersion)} (${String(d.ModelApprovalStatus)})`;
  }
  if (d.EndpointName) return `${String(d.EndpointName)} (${String(d.EndpointStatus)})`;
  if (d.ModelCardName) return `${String(d.ModelCardName)} (${String(d.ModelCardStatus)})`;
  if (d['stack-id'])
    return `${String(d['stack-id'])} (${String((d['status-details'] as Json | undefined)?.status)})`;
  return '';
}
