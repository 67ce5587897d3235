/**
 * The parser's allowed keys (core/config/input-keys.ts, checked against the types by the compiler)
 * are the JSON Schema's properties, object by object, and every object of the schema has its list.
 */
import { INPUT_KEYS } from '../../../core/config/input-keys';
import { configSchema } from '../../../scripts/generate-config-schema';

interface Schema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly $ref?: string;
}

const schema = configSchema() as unknown as Schema & { definitions: Record<string, Schema> };
const definition = (name: string): Schema => {
  const found = schema.definitions[name];
  if (!found) throw new Error(`the schema has no definition ${name}`);
  return found;
};
const property = (s: Schema, key: string): Schema => {
  const found = s.properties?.[key];
  if (!found) throw new Error(`the schema has no property ${key}`);
  return found;
};

/** Which object of the schema each list of keys belongs to. */
const OBJECTS: Record<keyof typeof INPUT_KEYS, Schema> = {
  root: schema,
  slo: definition('SloInput'),
  notifications: definition('NotificationsInput'),
  slack: definition('SlackChannelInput'),
  teams: definition('TeamsChannelInput'),
  environment: definition('AwsEnvironmentInput'),
  group: definition('ModelPackageGroupInput'),
  modelCard: definition('ModelCardInput'),
  qualityGate: definition('QualityGateInput'),
  threshold: definition('ThresholdInput'),
  notWorseThanLive: property(definition('ThresholdInput'), 'notWorseThanLive'),
  deployment: definition('DeploymentInput'),
  lifecycleStage: definition('LifecycleStageInput'),
  instances: property(definition('DeploymentInput'), 'instances'),
  serverless: property(definition('DeploymentInput'), 'serverless'),
  strategy: definition('StrategyInput'),
  rollbackAlarms: definition('RollbackAlarmsInput'),
  vpc: definition('VpcInput'),
  autoscaling: definition('AutoscalingInput'),
  shadow: definition('ShadowInput'),
  monitoring: definition('MonitoringInput'),
  dataCapture: definition('DataCaptureInput'),
  governanceRecord: definition('GovernanceRecordInput'),
  objectLock: definition('ObjectLockInput'),
  dataQuality: definition('DataQualityMonitorInput'),
  modelQuality: definition('ModelQualityMonitorInput'),
};

it.each(Object.keys(INPUT_KEYS) as (keyof typeof INPUT_KEYS)[])(
  '%s: the parser allows exactly the schema’s keys',
  (name) => {
    expect([...INPUT_KEYS[name]].sort()).toEqual(Object.keys(OBJECTS[name].properties ?? {}).sort());
  },
);

it('every object the schema describes has its list of keys', () => {
  const objects = new Set<Schema>();
  const visit = (s: Schema): void => {
    const r = s.$ref ? definition(s.$ref.replace('#/definitions/', '')) : s;
    if (r.anyOf) for (const v of r.anyOf) visit(v);
    if (r.items) visit(r.items);
    if (r.type === 'object' && r.properties && !objects.has(r)) {
      objects.add(r);
      for (const p of Object.values(r.properties)) visit(p);
    }
  };
  visit(schema);
  expect(new Set(Object.values(OBJECTS))).toEqual(objects);
});
