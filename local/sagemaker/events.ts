import type { MotoClient } from './moto-client';
import type { CallContext } from './protocol';

export const DETAIL_TYPES = {
  modelPackage: 'SageMaker Model Package State Change',
  endpoint: 'SageMaker Endpoint State Change',
  modelCard: 'SageMaker Model Card State Change',
} as const;

export interface EmittedEvent {
  readonly detailType: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
  readonly at: number;
}

/**
 * Puts the service's state-change events on moto's default event bus, as SageMaker puts them on the
 * account's: source aws.sagemaker, the documented detail-types and detail shapes.
 */
export class EventEmitter {
  readonly emitted: EmittedEvent[] = [];

  constructor(private readonly moto: MotoClient) {}

  async emit(
    ctx: CallContext,
    detailType: string,
    resources: string[],
    detail: Record<string, unknown>,
  ): Promise<void> {
    this.emitted.push({ detailType, resources, detail, at: Date.now() });
    const out = await this.moto.events<{ FailedEntryCount?: number }>(ctx, 'PutEvents', {
      Entries: [
        {
          Source: 'aws.sagemaker',
          DetailType: detailType,
          Resources: resources,
          Detail: JSON.stringify(detail),
        },
      ],
    });
    if (out.FailedEntryCount) throw new Error(`moto refused the ${detailType} event`);
  }
}
