/** Just enough of CloudFormation's intrinsic functions to resolve the app's environment variables locally. */

export interface PhysicalResource {
  /** What Ref returns. */
  readonly ref: string;
  /** Fn::GetAtt values by attribute name. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface ResolveContext {
  readonly region: string;
  readonly account: string;
  readonly resources: ReadonlyMap<string, PhysicalResource>;
  /** What Ref AWS::StackId returns: the stack being played. */
  readonly stackId?: string;
}

export function resolve(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx));
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = obj[fn as string];
    switch (fn) {
      case 'Ref':
        return ref(String(arg), ctx);
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        const resource = ctx.resources.get(String(id));
        const found = resource?.attributes[String(attribute)];
        if (found === undefined) throw new Error(`Cannot resolve Fn::GetAtt ${id}.${attribute} locally.`);
        return found;
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (resolve(parts, ctx) as unknown[]).map(String).join(sep);
      }
      case 'Fn::Sub': {
        const template = Array.isArray(arg) ? String(arg[0]) : String(arg);
        const vars = Array.isArray(arg) ? (resolve(arg[1], ctx) as Record<string, string>) : {};
        return template.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
          name in vars
            ? String(vars[name])
            : name.includes('.')
              ? String(resolve({ 'Fn::GetAtt': name.split('.') }, ctx))
              : ref(name, ctx),
        );
      }
      default:
        break;
    }
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolve(v, ctx)]));
}

function ref(name: string, ctx: ResolveContext): string {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.account;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackId':
      if (!ctx.stackId) throw new Error('Cannot resolve Ref AWS::StackId locally: no stack is being played.');
      return ctx.stackId;
    default: {
      const resource = ctx.resources.get(name);
      if (!resource)
        throw new Error(`Cannot resolve Ref ${name} locally: the local runner did not create it.`);
      return resource.ref;
    }
  }
}
