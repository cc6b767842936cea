export { consoleLogger } from './console-logger.js';
export { startPoller, type Poller, type PollerOptions } from './poller.js';
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
