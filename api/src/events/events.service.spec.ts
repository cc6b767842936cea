import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { AssetEntity, AssetStatus } from '../media/asset.entity.js';
import type { AssetsRepository } from '../media/assets.repository.js';
import type { JobEntity } from '../media/job.entity.js';
import type { JobsRepository } from '../media/jobs.repository.js';
import { JobEventsBus, type AssetGoneListener, type JobEventListener } from './events.bus.js';
import type { JobEventMessage } from './events.dto.js';
import { toAssetDeletedMessage, toSnapshotMessage } from './events.mapper.js';
import { EventsService } from './events.service.js';
import { EventSubscriber } from './events.subscriber.js';

const ASSET = '00000000-0000-4000-8000-00000000000a';
const OTHER_ASSET = '00000000-0000-4000-8000-00000000000b';
const JOB = '00000000-0000-4000-8000-00000000001a';

/** What the client would see on the wire: messages, then at most one close. */
type Frame = { message: JobEventMessage } | { close: { code: number; reason: string } };

/** Just enough of a ws socket for EventSubscriber; the close handshake completes on the next turn. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly frames: Frame[] = [];

  send(data: string): void {
    this.frames.push({ message: JSON.parse(data) as JobEventMessage });
  }

  /** Like ws: only the first close sends a frame; later ones do nothing. */
  close(code: number, reason: string): void {
    if (this.readyState !== this.OPEN) return;
    this.readyState = 2;
    this.frames.push({ close: { code, reason } });
    setImmediate(() => {
      this.readyState = 3;
      this.emit('close');
    });
  }

  ping(): void {}
  terminate(): void {}
}

/** The in-process bus, with its listeners in view. */
class FakeBus extends JobEventsBus {
  readonly listeners = new Set<JobEventListener>();
  readonly goneListeners = new Set<AssetGoneListener>();

  publish(message: JobEventMessage): void {
    for (const listener of this.listeners) listener(message);
  }
  subscribe(listener: JobEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  publishAssetGone(assetId: string): void {
    for (const listener of this.goneListeners) listener(assetId);
  }
  subscribeAssetGone(listener: AssetGoneListener): () => void {
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }
}

/** A read the test answers when it says so: what happens meanwhile lands between two reads. */
class Gate {
  private opened!: () => void;
  readonly open = new Promise<void>((resolve) => (this.opened = resolve));
  reached!: () => void;
  readonly waiting = new Promise<void>((resolve) => (this.reached = resolve));
  release(): void {
    this.opened();
  }
}

function setup(assetStatus: AssetStatus, options: { withJob?: boolean } = {}) {
  const assets = new Map<string, Pick<AssetEntity, 'id' | 'status'>>([
    [ASSET, { id: ASSET, status: assetStatus }],
    [OTHER_ASSET, { id: OTHER_ASSET, status: 'queued' }],
  ]);
  const jobs = new Map<string, JobEntity>();
  if (options.withJob !== false) {
    jobs.set(JOB, {
      id: JOB,
      assetId: ASSET,
      attempt: 1,
      status: 'running',
      progress: 25,
      speed: 2,
      etaSeconds: 6,
      errorCode: null,
      errorMessage: null,
      updatedAt: new Date(Date.UTC(2030, 0, 1)),
    } as JobEntity);
  }
  // The job read returns the row as it was when the read ran, even if the test holds its answer.
  let jobGate: Gate | undefined;
  const readJob = async (job: JobEntity | undefined) => {
    const row = job ? { ...job } : null;
    if (jobGate) {
      jobGate.reached();
      await jobGate.open;
    }
    return row;
  };
  const assetsRepository = {
    findById: async (id: string) => {
      const asset = assets.get(id);
      return asset ? ({ ...asset } as AssetEntity) : null;
    },
  } as unknown as AssetsRepository;
  const jobsRepository = {
    findById: (id: string) => readJob(jobs.get(id)),
    latestForAsset: (assetId: string) => readJob([...jobs.values()].find((job) => job.assetId === assetId)),
    inFlight: async () => [...jobs.values()].filter((job) => job.status === 'queued' || job.status === 'running'),
  } as unknown as JobsRepository;
  const bus = new FakeBus();
  const service = new EventsService(jobsRepository, assetsRepository, bus);

  /** What AssetsService.remove does: the rows, then the announcements on the bus. */
  const deleteAsset = (assetId: string) => {
    assets.get(assetId)!.status = 'deleted';
    const job = [...jobs.values()].find((row) => row.assetId === assetId);
    if (job) {
      job.status = 'cancelled';
      bus.publish(toAssetDeletedMessage(job, new Date(Date.UTC(2030, 0, 2))));
    }
    bus.publishAssetGone(assetId);
  };

  /** An upgraded socket, as the gateway hands it over. */
  const connect = (filter: { assetId?: string; jobId?: string }) => {
    const socket = new FakeSocket();
    const subscriber = new EventSubscriber(socket as unknown as WebSocket, filter);
    return { socket, subscriber, streamed: () => service.stream(subscriber, filter) };
  };

  const holdJobRead = () => (jobGate = new Gate());

  return { service, bus, jobs, deleteAsset, connect, holdJobRead };
}

const CLOSED_ASSET_DELETED = { close: { code: 1000, reason: 'asset_deleted' } };

describe('EventsService.stream', () => {
  it('ends the stream of an asset deleted after the upgrade was checked but before it subscribed', async () => {
    const { service, bus, jobs, deleteAsset, connect } = setup('processing');
    await service.check({ assetId: ASSET }); // authorize(): the asset is still there

    // The deletion lands before serve() subscribes: its announcements reach nobody.
    deleteAsset(ASSET);
    const { socket, subscriber, streamed } = connect({ assetId: ASSET });
    await streamed();

    // The job as the deletion left it, then the end; without the read after subscribing the
    // socket would stay open forever.
    expect(socket.frames).toEqual([{ message: toSnapshotMessage(jobs.get(JOB)!) }, CLOSED_ASSET_DELETED]);
    expect(socket.frames[0]).toMatchObject({ message: { type: 'snapshot', status: 'cancelled' } });
    await subscriber.closed;
    expect(bus.listeners.size + bus.goneListeners.size).toBe(0);
  });

  it('ends, without a message, the stream of an asset still uploading that is deleted in that window', async () => {
    const { service, deleteAsset, connect } = setup('uploading', { withJob: false });
    await service.check({ assetId: ASSET });
    deleteAsset(ASSET);
    const { socket, streamed } = connect({ assetId: ASSET });
    await streamed();
    expect(socket.frames).toEqual([CLOSED_ASSET_DELETED]);
  });

  it('also ends a stream watching a job of that asset with the asset named in its filter', async () => {
    const { service, deleteAsset, connect } = setup('processing');
    await service.check({ assetId: ASSET, jobId: JOB });
    deleteAsset(ASSET);
    const { socket, streamed } = connect({ assetId: ASSET, jobId: JOB });
    await streamed();
    expect(socket.frames.map((frame) => ('close' in frame ? frame : frame.message.type))).toEqual([
      'snapshot',
      CLOSED_ASSET_DELETED,
    ]);
  });

  it('subscribes before reading: a deletion during the snapshot read follows it, then the stream ends once', async () => {
    const { bus, deleteAsset, connect, holdJobRead } = setup('processing');
    const gate = holdJobRead();
    const { socket, streamed } = connect({ assetId: ASSET });
    const done = streamed();
    // Listening already, before any read answered.
    expect(bus.listeners.size).toBe(1);
    expect(bus.goneListeners.size).toBe(1);

    // The asset read saw it live; the job read ran before the deletion and answers after it.
    await gate.waiting;
    deleteAsset(ASSET);
    expect(socket.frames).toEqual([]); // held until the snapshot is out
    gate.release();
    await done;

    expect(
      socket.frames.map((frame) => ('close' in frame ? frame : [frame.message.type, frame.message.status])),
    ).toEqual([['snapshot', 'running'], ['asset.deleted', 'cancelled'], CLOSED_ASSET_DELETED]);
  });

  it('leaves the stream of a live asset open, and ends it when the asset is deleted later', async () => {
    const { bus, deleteAsset, connect } = setup('processing');
    const { socket, subscriber, streamed } = connect({ assetId: ASSET });
    await streamed();
    expect(socket.frames).toEqual([{ message: expect.objectContaining({ type: 'snapshot', status: 'running' }) }]);
    expect(socket.readyState).toBe(socket.OPEN);

    // Another asset's deletion is none of its business.
    deleteAsset(OTHER_ASSET);
    expect(socket.readyState).toBe(socket.OPEN);

    deleteAsset(ASSET);
    expect(socket.frames.slice(1)).toEqual([
      { message: expect.objectContaining({ type: 'asset.deleted' }) },
      CLOSED_ASSET_DELETED,
    ]);
    await subscriber.closed;
    expect(bus.listeners.size + bus.goneListeners.size).toBe(0);
  });

  it('does not end streams that do not watch an asset (job only, or everything)', async () => {
    const { service, deleteAsset, connect } = setup('processing');
    await service.check({ jobId: JOB });
    deleteAsset(ASSET);
    for (const filter of [{ jobId: JOB }, {}]) {
      const { socket, streamed } = connect(filter);
      await streamed();
      expect(socket.readyState).toBe(socket.OPEN);
      expect(socket.frames.every((frame) => 'message' in frame)).toBe(true);
    }
  });

  it('rejects when the snapshot cannot be read (the gateway then closes the socket)', async () => {
    const { bus } = setup('processing');
    const failing = new EventsService(
      { latestForAsset: async () => Promise.reject(new Error('database down')) } as unknown as JobsRepository,
      { findById: async () => ({ id: ASSET, status: 'processing' }) } as unknown as AssetsRepository,
      bus,
    );
    const socket = new FakeSocket();
    const subscriber = new EventSubscriber(socket as unknown as WebSocket, { assetId: ASSET });
    await expect(failing.stream(subscriber, { assetId: ASSET })).rejects.toThrow('database down');
    expect(socket.frames).toEqual([]);
  });
});
