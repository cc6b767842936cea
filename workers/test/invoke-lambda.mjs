// A Lambda runtime in miniature, for lambda-tracing.test.ts. It imports the built handler
// module (after a NODE_OPTIONS preload, if any), invokes `handler` once with the SQS event in
// LAMBDA_EVENT, and writes `{"response": …}` as one stdout line. It then stays up until its
// stdin closes: spans that reached the receiver before that line were exported by the
// invocation itself, as they must be in a Lambda, which is frozen once it has answered.
import { pathToFileURL } from 'node:url';

const [handlerModule] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(handlerModule).href);
const response = await handler(JSON.parse(process.env.LAMBDA_EVENT), {
  getRemainingTimeInMillis: () => 600_000,
  awsRequestId: 'lambda-tracing-test',
});
process.stdout.write(`${JSON.stringify({ response })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
