import { Aws, CfnOutput, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ALARM_THRESHOLDS,
  GATE_OUTCOMES,
  METRIC,
  METRICS_NAMESPACE,
  type MetricName,
  serviceNameOf,
} from '../core/operations';
import type { GovernedFunction } from './governed-function';

export interface OperationsProps {
  /** Where every alarm goes: the stack's notification topic. */
  readonly topic: sns.ITopic;
  /** The stack's handlers: their errors, throttles, ignored events and dead-letter queues. */
  readonly functions: readonly GovernedFunction[];
  /** Other dead-letter queues to chart (event forwarding's): their alarms exist already. */
  readonly deadLetterQueues?: readonly sqs.IQueue[];
  /** Objective for approval to serving, in minutes (config: slo.approvalToServingMinutes). */
  readonly approvalToServingMinutes: number;
  /** The targets with model monitoring: their executions and violations are charted, violations alarmed. */
  readonly monitored?: readonly { readonly group: string; readonly endpoint: string }[];
}

const PERIOD = Duration.minutes(5);

/**
 * Running it in production: a CloudWatch dashboard of the governance flow and the alarms that watch
 * it, every alarm to the notification topic. Built with aws-cdk-lib's own `cloudwatch` module rather
 * than cdk-monitoring-constructs: this package is a published construct library, so every dependency
 * is one its users install and must keep in step with their aws-cdk-lib; our metrics are custom EMF
 * metrics, which that library charts through the same `cloudwatch.Metric` objects anyway, and its
 * Lambda and SQS facades would add alarms we would have to switch off to keep the set below.
 *
 * Alarms (thresholds: core/operations.ts ALARM_THRESHOLDS):
 * - unrecognised events: an event matched a rule but not the shape the handlers parse (format drift);
 * - a rolled-back deployment;
 * - each handler's errors and throttles;
 * - approval to serving above the objective;
 * - a monitoring execution that found violations (when a target is monitored);
 * - dead-letter queue depth: each queue has its own alarm already (DeadLetterQueue), charted here.
 */
export class Operations extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly stackName: string;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.stackName = Stack.of(this).stackName;
    const handler = (name: string) => props.functions.find((f) => f.handlerName === name);
    const reconciler = handler('reconcile-endpoint');
    const policies = handler('policy-gate');
    const audit = handler('audit-notify');
    const cards = handler('model-cards');
    const alarm = (alarmId: string, alarmProps: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });
      created.addAlarmAction(new actions.SnsAction(props.topic));
      this.alarms.push(created);
      return created;
    };

    // Format drift: the sum over every handler, missing data as 0 (a handler that ignored nothing has no data).
    const unrecognised = props.functions.map((f) =>
      this.metric('EventIgnored', f.handlerName, 'Sum', { Reason: 'unrecognised-event' }),
    );
    const unrecognisedTotal = new cloudwatch.MathExpression({
      expression: 'SUM(FILL(METRICS(), 0))',
      usingMetrics: Object.fromEntries(unrecognised.map((m, i) => [`m${i}`, m])),
      label: 'Unrecognised events',
      period: PERIOD,
    });
    alarm('UnrecognisedEvents', {
      alarmDescription:
        'Events that matched a rule but not the shape the handlers parse were ignored: AWS may have changed the event format, and audit records and deployments stop until the parser (domain/events.ts) is updated. The "event ignored" log lines carry the event.',
      metric: unrecognisedTotal,
      threshold: ALARM_THRESHOLDS.unrecognisedEvents,
    });
    for (const f of props.functions) {
      alarm(`${pascal(f.handlerName)}Errors`, {
        alarmDescription: `The ${f.handlerName} handler failed: Lambda retries twice, then dead-letters the event. Its log group has the "invocation failed" line.`,
        metric: f.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        threshold: ALARM_THRESHOLDS.handlerErrors,
      });
      alarm(`${pascal(f.handlerName)}Throttles`, {
        alarmDescription: `The ${f.handlerName} handler was throttled: raise the account's Lambda concurrency, or look for an event storm.`,
        metric: f.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        threshold: ALARM_THRESHOLDS.handlerThrottles,
      });
    }
    const objectiveSeconds = props.approvalToServingMinutes * 60;
    if (reconciler) {
      alarm('DeploymentRolledBack', {
        alarmDescription:
          'A deployment was rolled back by SageMaker: the endpoint serves its previous version. The notification says why; approve a newer version or run mgov retry-deploy.',
        metric: this.metric(METRIC.deploymentRolledBack, reconciler.handlerName, 'Sum'),
        threshold: ALARM_THRESHOLDS.rollbacks,
      });
      alarm('ApprovalToServing', {
        alarmDescription: `A version took more than the objective of ${props.approvalToServingMinutes} minutes (slo.approvalToServingMinutes) from approval to serving.`,
        metric: this.metric(METRIC.approvalToServing, reconciler.handlerName, 'Maximum'),
        threshold: objectiveSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    const monitored = reconciler ? (props.monitored ?? []) : [];
    if (reconciler && monitored.length > 0)
      alarm('MonitoringViolations', {
        alarmDescription:
          'Model monitoring found violations on the version an endpoint serves. The notification names the version, the constraints and the report; with onViolation: hold, newer versions wait for mgov clear-violation.',
        metric: this.metric(METRIC.monitoringViolation, reconciler.handlerName, 'Sum'),
        threshold: ALARM_THRESHOLDS.monitoringViolations,
      });

    const queues = [...props.functions.map((f) => f.deadLetters.queue), ...(props.deadLetterQueues ?? [])];
    const widgets: cloudwatch.IWidget[][] = [
      [
        new cloudwatch.TextWidget({
          markdown: `# model-governance: ${this.stackName}\nApprovals, deployments, gates and the handlers' health. Metrics: namespace \`${METRICS_NAMESPACE}\`, dimension \`Stack\`. Alarms go to the notification topic.`,
          width: 24,
          height: 2,
        }),
      ],
      [
        graph('Approvals', audit ? [this.metric(METRIC.approvalRecorded, audit.handlerName, 'Sum')] : []),
        graph(
          'Deployments by outcome',
          reconciler
            ? (
                [
                  METRIC.deploymentStarted,
                  METRIC.deploymentCompleted,
                  METRIC.deploymentRolledBack,
                  METRIC.deploymentHeld,
                ] as const
              ).map((name) => this.metric(name, reconciler.handlerName, 'Sum'))
            : [],
        ),
        new cloudwatch.GraphWidget({
          title: 'Approval to serving (seconds)',
          width: 8,
          left: reconciler
            ? (['p50', 'p90'] as const).map((stat) =>
                this.metric(METRIC.approvalToServing, reconciler.handlerName, stat, {}, `${stat}`),
              )
            : [],
          leftAnnotations: [
            {
              value: objectiveSeconds,
              label: `objective ${props.approvalToServingMinutes} min`,
              color: '#d62728',
            },
          ],
        }),
      ],
      [
        graph(
          'Gate decisions',
          policies
            ? GATE_OUTCOMES.map((outcome) =>
                this.metric(METRIC.gateDecision, policies.handlerName, 'Sum', { Outcome: outcome }, outcome),
              )
            : [],
        ),
        graph('Governance actions', [
          ...(policies
            ? [
                this.metric(METRIC.selfApprovalReverted, policies.handlerName, 'Sum'),
                this.metric(METRIC.approvalReverted, policies.handlerName, 'Sum'),
              ]
            : []),
          ...(cards ? [this.metric(METRIC.cardWritten, cards.handlerName, 'Sum')] : []),
        ]),
        graph('Unrecognised events (format drift)', [unrecognisedTotal]),
      ],
      [
        graph(
          'Handler errors and throttles',
          props.functions.flatMap((f) => [
            f.metricErrors({ period: PERIOD, statistic: 'Sum', label: `${f.handlerName} errors` }),
            f.metricThrottles({ period: PERIOD, statistic: 'Sum', label: `${f.handlerName} throttles` }),
          ]),
          12,
        ),
        graph(
          'Dead-letter queue depth',
          queues.map((q) =>
            q.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
          ),
          12,
        ),
      ],
      ...(reconciler && monitored.length > 0
        ? [
            [
              graph(
                'Monitoring executions and violations',
                [METRIC.monitoringExecution, METRIC.monitoringViolation].map((name) =>
                  this.metric(name, reconciler.handlerName, 'Sum'),
                ),
                12,
              ),
              graph(
                'Monitoring violations by target',
                monitored.map((t) =>
                  this.metric(
                    METRIC.monitoringViolation,
                    reconciler.handlerName,
                    'Sum',
                    { Group: t.group, Endpoint: t.endpoint },
                    t.endpoint,
                  ),
                ),
                12,
              ),
            ],
          ]
        : []),
      [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
    ];
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets,
      defaultInterval: Duration.days(1),
    });

    new CfnOutput(this, 'NotificationTopicArn', {
      description: 'The notification topic: approvals, deployments, policy actions and every alarm.',
      value: props.topic.topicArn,
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: "The governance flow's CloudWatch dashboard.",
      value: Fn.join('', [
        'https://console.aws.amazon.com/cloudwatch/home?region=',
        Aws.REGION,
        '#dashboards:name=',
        this.dashboard.dashboardName,
      ]),
    });
  }

  /** One of our EMF metrics, under the dimension set the handler writes it with (core/operations.ts). */
  private metric(
    name: MetricName,
    handlerName: string,
    statistic: string,
    dimensions: Record<string, string> = {},
    label?: string,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: serviceNameOf(handlerName), Stack: this.stackName, ...dimensions },
      statistic,
      period: PERIOD,
      ...(label ? { label } : {}),
    });
  }
}

function graph(title: string, metrics: cloudwatch.IMetric[], width = 8): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width, stacked: false });
}

function pascal(name: string): string {
  return name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
}
