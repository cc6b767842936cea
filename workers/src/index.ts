export { consoleLogger } from './console-logger.js';
export { startPoller, type Poller, type PollerOptions } from './poller.js';
export { workerDrainMs } from './shutdown.js';
export {
  createTranscodeHandler,
  type DeliveryControls,
  type Outcome,
  type TranscodeHandlerDeps,
} from './transcode-handler.js';
export {
  createWorkerAdapters,
  loadWorkerConfig,
  transcodeOptionsFrom,
  WorkerConfigError,
  workerEnvSchema,
  type WorkerConfig,
} from './worker-config.js';
// Observability shared with the API: one logger setup, one set of redaction rules, one way
// to carry trace context over the queues, one definition of the transcode metrics.
export {
  createLogger,
  LOG_FORMATS,
  LOG_LEVELS,
  mediaLogger,
  type LogFormat,
  type Logger,
  type LoggerSettings,
  type LogLevel,
} from './observability/logger.js';
export { isSecretKey, REDACTED, scrubSecrets, scrubString } from './observability/redact.js';
export {
  activeTraceFields,
  contextFromAttributes,
  inSpan,
  traceContextAttributes,
  type InSpanOptions,
} from './observability/trace-context.js';
export { TranscodeMetrics } from './observability/transcode-metrics.js';
export {
  observeSentEvents,
  startMetricsServer,
  WorkerMetrics,
  type MetricsServer,
} from './observability/worker-metrics.js';
