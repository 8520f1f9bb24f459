import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

const logger = new Logger({ serviceName: "telemetry" });
const metrics = new Metrics({ namespace: "telemetry" });
const tracer = new Tracer();
const kinesis = tracer.captureAWSv3Client(new KinesisClient({}));

export const handler = async (event, context) => {
  logger.addContext(context);
  metrics.addMetric("ingested", MetricUnit.Count, 1);
  await kinesis.send(
    new PutRecordCommand({
      StreamName: process.env.STREAM,
      PartitionKey: context.awsRequestId,
      Data: Buffer.from(event.body, "utf8"),
    }),
  );
  metrics.publishStoredMetrics();
  return { statusCode: 202 };
};
