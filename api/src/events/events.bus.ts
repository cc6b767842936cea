import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import type { JobEventMessage } from './events.dto.js';

export type JobEventListener = (message: JobEventMessage) => void;
export type AssetGoneListener = (assetId: string) => void;

/**
 * Carries applied job events from whoever applied them to whoever pushes them to clients.
 * An abstract class so it is also the injection token: the in-process implementation serves
 * one API instance; RedisJobEventsBus (redis-job-events.bus.ts) serves several.
 */
export abstract class JobEventsBus {
  /**
   * Fire and forget: the database change it reports has already happened, so a failure to
   * deliver is logged by the bus, never thrown back at the caller (who could only retry an
   * event that would then be ignored as a duplicate).
   */
  abstract publish(message: JobEventMessage): void;

  /** Calls `listener` with every message published from now on; returns the unsubscribe. */
  abstract subscribe(listener: JobEventListener): () => void;

  /**
   * Announces that an asset was deleted, after its last message (if it had a job): streams
   * watching it end. Fire and forget, like publish, and delivered in order with it.
   */
  abstract publishAssetGone(assetId: string): void;

  /** Calls `listener` with every asset announced gone from now on; returns the unsubscribe. */
  abstract subscribeAssetGone(listener: AssetGoneListener): () => void;
}

const CHANNEL = 'job-event';
const GONE_CHANNEL = 'asset-gone';

/** Delivers synchronously, in publish order, within this process. */
@Injectable()
export class InProcessJobEventsBus extends JobEventsBus {
  private readonly logger = new Logger('JobEventsBus');
  // One listener per open socket: there is no meaningful "too many".
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(message: JobEventMessage): void {
    this.emitter.emit(CHANNEL, message);
  }

  subscribe(listener: JobEventListener): () => void {
    return this.listen(CHANNEL, listener);
  }

  publishAssetGone(assetId: string): void {
    this.emitter.emit(GONE_CHANNEL, assetId);
  }

  subscribeAssetGone(listener: AssetGoneListener): () => void {
    return this.listen(GONE_CHANNEL, listener);
  }

  private listen<T>(channel: string, listener: (value: T) => void): () => void {
    // One subscriber's failure must not stop the others from hearing about the event.
    const guarded = (value: T) => {
      try {
        listener(value);
      } catch (error) {
        this.logger.error(`A job event listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    this.emitter.on(channel, guarded);
    return () => this.emitter.off(channel, guarded);
  }
}
