import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification } from '../domain/audit';

export async function publishNotification(
  client: SNSClient,
  topicArn: string,
  n: Notification,
): Promise<string> {
  const out = await client.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: n.subject,
      Message: n.message,
      MessageAttributes: Object.fromEntries(
        Object.entries(n.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
    }),
  );
  return out.MessageId ?? '';
}
