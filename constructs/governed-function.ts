import { ArnFormat, type CfnElement, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { METRICS_STACK_ENV, serviceNameOf } from '../core/operations';
import { ACKNOWLEDGEMENTS, acknowledge, nagArn } from './compliance';
import { DeadLetterQueue } from './dead-letter-queue';
import { handlerCode } from './handler-code';
import { modelPackageVersionsArn } from './model-package-groups';

/** The Node.js runtime every handler runs on: the newest aws-cdk-lib offers. */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface GovernedFunctionProps {
  /** Folder under lambda/ holding the handler's index.ts. */
  readonly handlerName: string;
  readonly description: string;
  /** The governance manifest file, copied into the bundle beside the handler (see domain/manifest.ts). */
  readonly manifestPath: string;
  /** Key for the dead-letter queue (and the environment variables). */
  readonly encryptionKey: kms.IKey;
  /** Where the dead-letter alarm notifies. */
  readonly alarmTopic: sns.ITopic;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_YEAR: these logs are the audit record. */
  readonly logRetention?: logs.RetentionDays;
  /**
   * A fixed name for the function's role, where another account's policy must name it (the
   * deployment stacks' roles, named in the registry's group resource policies).
   * @default a name CloudFormation generates
   */
  readonly roleName?: string;
  /** Additional environment variables; prefer the bind* helpers, which add the grant too. */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * The one Lambda construct every handler uses: it holds every runtime and bundling choice.
 *
 * - The code is the handler's bundle, prebuilt in the installed package or bundled from source here,
 *   with the same esbuild options (./handler-code.ts); bundling is local, so synth needs no Docker.
 * - Asynchronous invocations retry twice, then land in an encrypted dead-letter queue with an alarm.
 */
export class GovernedFunction extends lambda.Function {
  readonly deadLetters: DeadLetterQueue;
  /** The handler's name (lambda/<name>), which is also its metrics' `service` dimension (serviceNameOf). */
  readonly handlerName: string;

  constructor(scope: Construct, id: string, props: GovernedFunctionProps) {
    const code = handlerCode(props.handlerName, props.manifestPath);
    const deadLetters = new DeadLetterQueue(scope, `${id}DeadLetters`, {
      encryptionKey: props.encryptionKey,
      alarmTopic: props.alarmTopic,
      purpose: `${props.handlerName} invocations`,
    });
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The function's own role, without AWSLambdaBasicExecutionRole: that managed policy lets a
    // function create and write any log group, so one handler could forge records in another's
    // audit log. This role may write to its own log group only.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `model-governance ${props.handlerName}: the function's execution role`,
      ...(props.roleName ? { roleName: props.roleName } : {}),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogGroupOnly',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [
          Stack.of(scope).formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `${logGroup.logGroupName}:log-stream:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    super(scope, id, {
      code,
      role,
      handler: 'index.handler',
      description: props.description,
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(60),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceNameOf(props.handlerName),
        // The `Stack` dimension of the handler's metrics (core/operations.ts).
        [METRICS_STACK_ENV]: Stack.of(scope).stackName,
        // No --enable-source-maps: it adds 8-26 ms to every cold start (npm run bench, docs/benchmarks.md).
        // The map ships beside the bundle; set NODE_OPTIONS=--enable-source-maps on a function to debug it.
        ...props.environment,
      },
      environmentEncryption: props.encryptionKey,
      deadLetterQueue: deadLetters.queue,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    this.deadLetters = deadLetters;
    this.handlerName = props.handlerName;
    acknowledge(this, ACKNOWLEDGEMENTS.kmsDataKeyWildcard);
    const logGroupId = Stack.of(scope).getLogicalId(logGroup.node.defaultChild as CfnElement);
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::${nagArn(scope, 'logs', `log-group:<${logGroupId}>:log-stream:*`)}]`,
      reason:
        "Lambda names its log streams by date and instance; the wildcard covers the streams of this function's own log group only (CreateLogStream and PutLogEvents, nothing else).",
    });
  }

  /**
   * X-Ray active tracing (config `tracing`): Lambda samples invocations and records each, with the
   * initialization of a cold start, as a trace. The role may send segments; X-Ray's PutTraceSegments
   * and PutTelemetryRecords have no resource-level permissions (Service Authorization Reference,
   * "Actions defined by AWS X-Ray"), hence `*`.
   */
  enableTracing(): this {
    (this.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    this.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SendTraceSegments',
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    );
    acknowledge(this, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing (config tracing): xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions, so they can only be granted on *; they write trace data and read nothing.',
    });
    return this;
  }

  /** Lets the handler publish to a topic, and tells it which (NOTIFICATION_TOPIC_ARN). */
  bindNotificationTopic(topic: sns.ITopic): this {
    this.addEnvironment('NOTIFICATION_TOPIC_ARN', topic.topicArn);
    topic.grantPublish(this);
    return this;
  }

  /** Adds one IAM statement to the handler's role. */
  allow(actions: string[], resources: string[], conditions?: Record<string, Record<string, unknown>>): this {
    this.addToRolePolicy(new iam.PolicyStatement({ actions, resources, conditions }));
    return this;
  }

  /**
   * Lets the handler resolve a version's image tag to the digest it names (ECR BatchGetImage, the
   * call an image pull makes), to pin the image with the gate's verdict and to check the pin before
   * deploying (domain/artifact-pins.ts). Read-only: it returns the manifest, never a layer.
   */
  allowImageDigests(): this {
    const stack = Stack.of(this);
    this.allow(['ecr:BatchGetImage'], [`arn:${stack.partition}:ecr:${stack.region}:*:repository/*`]);
    acknowledge(this, {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:*:repository/*]`,
      reason:
        "Reads image manifests only (BatchGetImage), in this region, to pin a version's image by digest: the images a version names are chosen at registration and may live in AWS-owned repositories (the built-in algorithms) whose accounts differ by region.",
    });
    return this;
  }

  /**
   * Allows actions on every version of the named groups (model-package/<group>/*): versions are
   * numbered as they are registered, so the version part of the ARN has to be a wildcard.
   * `registryAccount`: the account holding the groups, when not this stack's.
   */
  allowOnVersionsOf(actions: string[], groupNames: readonly string[], registryAccount?: string): this {
    const resources = groupNames.map((name) => modelPackageVersionsArn(this, name, registryAccount));
    this.allow(actions, resources);
    for (const name of groupNames) {
      acknowledge(this, {
        id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `model-package/${name.toLowerCase()}/*`, registryAccount)}]`,
        reason: `Versions of the governed group ${name} are numbered as they are registered; the wildcard covers that group's versions only.`,
      });
    }
    return this;
  }
}
