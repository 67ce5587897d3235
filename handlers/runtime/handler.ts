import type { Context } from 'aws-lambda';
import type { IgnoredReason } from '../../core/operations';
import { logger } from './logger';
import { countIgnored } from './metrics';

/** What a handler returns when an event can never succeed: logged, counted, and dropped (a retry would only loop). */
export interface Ignored {
  readonly outcome: 'ignored';
  readonly reason: string;
  /** Low-cardinality kind of reason: the `Reason` dimension of the EventIgnored metric. */
  readonly reasonCode: IgnoredReason;
}

/** The one way handlers ignore an event; the wrapper logs and counts it. */
export function ignored(reasonCode: IgnoredReason, reason: string): Ignored {
  return { outcome: 'ignored', reason, reasonCode };
}

/**
 * Wraps a handler in the Powertools style: the Lambda context goes into every log line (request id,
 * function, cold start), keys a handler appends are cleared per invocation (a warm container must
 * not carry the last event's keys into the next), an ignored event is logged with a fixed message
 * and its reason and counted as EventIgnored, and a failure is logged once before Lambda retries it.
 * The context is optional so that tests and local mode can call the handler with the event alone.
 */
export function governedHandler<E, R extends { readonly outcome: string }>(
  run: (event: E) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    logger.resetKeys();
    if (context) logger.addContext(context);
    try {
      const result = await run(event);
      if (isIgnored(result)) {
        // Only an event we cannot read warns (the rule and the parser disagree); the rest is routine,
        // such as the app's own metadata writes reaching a handler that has nothing to do for them.
        const log = result.reasonCode === 'unrecognised-event' ? logger.warn : logger.info;
        log.call(logger, 'event ignored', {
          reason: result.reason,
          reasonCode: result.reasonCode,
          // The event itself when its shape was not recognised: what changed is the evidence.
          ...(result.reasonCode === 'unrecognised-event' ? { event } : {}),
        });
        countIgnored(result.reasonCode);
      }
      return result;
    } catch (error) {
      logger.error('invocation failed', { error: error as Error });
      throw error;
    } finally {
      logger.resetKeys();
    }
  };
}

function isIgnored(result: { readonly outcome: string }): result is Ignored {
  return result.outcome === 'ignored' && 'reasonCode' in result;
}
