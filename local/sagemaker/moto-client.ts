import { type CallContext, ServiceError } from './protocol';

/**
 * Calls moto's JSON 1.1 services directly, with the caller's region and account: moto keeps state
 * per account and takes it from the `x-moto-account-id` header before the access key
 * (moto 5.2.1, moto/core/responses.py `get_current_account`).
 */
export class MotoClient {
  constructor(readonly url: string) {}

  async sagemaker<T = Record<string, unknown>>(
    ctx: CallContext,
    operation: string,
    body: unknown,
  ): Promise<T> {
    return this.json<T>(ctx, `SageMaker.${operation}`, body);
  }

  async events<T = Record<string, unknown>>(ctx: CallContext, operation: string, body: unknown): Promise<T> {
    return this.json<T>(ctx, `AWSEvents.${operation}`, body);
  }

  /** Application Auto Scaling (moto implements it; the local endpoint proxies callers' requests there). */
  async autoscaling<T = Record<string, unknown>>(
    ctx: CallContext,
    operation: string,
    body: unknown,
  ): Promise<T> {
    return this.json<T>(ctx, `AnyScaleFrontendService.${operation}`, body);
  }

  /** Amazon ECR (moto implements it; the local endpoint proxies callers' requests there). */
  async ecr<T = Record<string, unknown>>(ctx: CallContext, operation: string, body: unknown): Promise<T> {
    return this.json<T>(ctx, `AmazonEC2ContainerRegistry_V20150921.${operation}`, body);
  }

  private async json<T>(ctx: CallContext, target: string, body: unknown): Promise<T> {
    const service = target.startsWith('SageMaker')
      ? 'sagemaker'
      : target.startsWith('AnyScale')
        ? 'application-autoscaling'
        : target.startsWith('AmazonEC2ContainerRegistry')
          ? 'ecr'
          : 'events';
    const res = await fetch(`${this.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': target,
        'x-moto-account-id': ctx.account,
        authorization: ctx.authorization.replace(/\/sagemaker\/aws4_request/, `/${service}/aws4_request`),
      },
      body: JSON.stringify(body ?? {}),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!res.ok) {
      const code = String(parsed.__type ?? 'ValidationException')
        .split('#')
        .pop() as ServiceError['code'];
      throw new ServiceError(code, String(parsed.message ?? parsed.Message ?? text), res.status);
    }
    return parsed as T;
  }
}
