/**
 * Reads a required environment variable at cold start. A missing one is a deployment fault, so it fails
 * the init phase loudly instead of every invocation quietly.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `Environment variable ${name} is not set. The stack sets it on every handler; redeploy with cdk deploy, or set it when running the handler by hand.`,
    );
  }
  return value;
}
