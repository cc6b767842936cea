import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type Dirent } from 'node:fs';
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import {
  RESERVED_KEY_PREFIX,
  S3_MIN_PART_SIZE,
  sameEtag,
  sortCompletedParts,
  validateDirectoryPrefix,
  validateListPrefix,
  validateObjectKey,
  validatePartNumber,
  validateRange,
} from './object-key.js';
import { sizeChecked, sizeMismatch, validatePartSize } from './sized-stream.js';
import { InvalidRangeError, MultipartUploadError } from './storage.errors.js';
import {
  ObjectNotFoundError,
  type ByteRange,
  type ObjectInfo,
  type ObjectStorage,
  type PutOptions,
  type UploadedPart,
} from './storage.port.js';

export interface LocalObjectStorageOptions {
  /**
   * Smallest size allowed for every part but the last when completing a multipart upload.
   * Defaults to S3's 5 MiB so that a client that works against local storage also works
   * against S3; 0 turns the check off.
   */
  minPartSize?: number;
}

/** What `.multipart/<uploadId>/upload.json` holds. */
interface UploadManifest {
  key: string;
  createdAt: string;
  contentType?: string;
  cacheControl?: string;
}

export interface ExpiredUpload {
  uploadId: string;
  /** The key the upload was for, when its manifest could still be read. */
  key: string | null;
}

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PART_FILE = /^[0-9]+$/;
const VALID_NAME = /^[A-Za-z0-9._-]+$/;
const MANIFEST = 'upload.json';
/** Each part file ends with its sha256 in hex and a newline, so data and etag are replaced in one rename. */
const ETAG_TRAILER_BYTES = 65;
/** Read size of `putFile`'s copy: few syscalls for big media files, and an abort is seen within one chunk. */
const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * Objects as files under `rootDir` (the embedded default, `.aleflix/media`). Every write
 * goes to a temp file in the destination directory and is renamed into place, so readers
 * see the old object or the new one, never half of one. Temp names contain `~`, which keys
 * cannot, so `list` never shows them.
 *
 * Multipart parts live in `<root>/.multipart/<uploadId>/<partNumber>` (data followed by a
 * sha256 trailer, which is the part's etag); completing streams them, in part-number order,
 * into a temp file that is renamed to the key.
 *
 * No metadata is stored: `head` reports a content type guessed from the extension, and
 * `cacheControl` is left to whatever serves the files. A key cannot be both an object and
 * a "directory" of other keys (`a/b` and `a/b/c`), which S3 allows; the server's key layout
 * never does that.
 */
export class LocalObjectStorage implements ObjectStorage {
  readonly kind = 'local' as const;
  readonly rootDir: string;
  private readonly minPartSize: number;

  constructor(rootDir: string, options: LocalObjectStorageOptions = {}) {
    this.rootDir = resolve(rootDir);
    this.minPartSize = options.minPartSize ?? S3_MIN_PART_SIZE;
  }

  async put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<void> {
    validateObjectKey(key);
    const signal = options?.signal;
    signal?.throwIfAborted();
    await this.writeAtomically(
      this.pathFor(key),
      async (tmp) => {
        if (typeof body === 'string' || Buffer.isBuffer(body)) {
          await writeFile(tmp, body, { flush: true, signal });
        } else {
          // On abort the pipeline destroys both streams (the body with an AbortError) and
          // settles once they are closed.
          await pipeline(body, createWriteStream(tmp, { flush: true }), { signal });
        }
      },
      { signal },
    );
  }

  async putFile(key: string, filePath: string, options?: PutOptions): Promise<void> {
    validateObjectKey(key);
    const signal = options?.signal;
    signal?.throwIfAborted();
    // A stream copy rather than copyFile, which cannot be interrupted: an abort stops it
    // between two chunks. `flush` syncs the temp file before it is renamed into place.
    await this.writeAtomically(
      this.pathFor(key),
      (tmp) =>
        pipeline(
          createReadStream(filePath, { highWaterMark: COPY_CHUNK_BYTES }),
          createWriteStream(tmp, { flush: true }),
          { signal },
        ),
      { signal },
    );
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    validateObjectKey(key);
    if (range) validateRange(key, range);
    // Open first and stat the handle: the stream then reads the object that was stat'ed even
    // if a writer renames a new version into place meanwhile.
    const handle = await openObject(this.pathFor(key), key);
    try {
      const { size } = await handle.stat();
      if (!range) return handle.createReadStream();
      if (range.start >= size) throw new InvalidRangeError(key, range, `the object has ${size} bytes`);
      const end = Math.min(range.end ?? size - 1, size - 1);
      return handle.createReadStream({ start: range.start, end });
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    validateObjectKey(key);
    const info = await statOrNull(this.pathFor(key));
    if (!info?.isFile()) return null;
    return { key, size: info.size, lastModified: info.mtime, contentType: guessContentType(key) };
  }

  async delete(key: string): Promise<void> {
    validateObjectKey(key);
    await unlink(this.pathFor(key)).catch((error: unknown) => {
      // A "directory" of other keys is not an object: nothing to delete.
      if ((error as NodeJS.ErrnoException).code !== 'EISDIR') ignoreMissing(error);
    });
  }

  async deletePrefix(prefix: string): Promise<number> {
    validateDirectoryPrefix(prefix);
    const dir = this.pathFor(prefix.slice(0, -1));
    let deleted = 0;
    for await (const file of walkFiles(dir)) {
      try {
        await unlink(file);
        deleted++;
      } catch (error) {
        ignoreMissing(error);
      }
    }
    await removeEmptyDirs(dir);
    return deleted;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    validateListPrefix(prefix);
    // Start in the deepest directory the prefix names; the rest of it filters names.
    const slash = prefix.lastIndexOf('/');
    yield* this.walkKeys(slash >= 0 ? prefix.slice(0, slash) : '', prefix);
  }

  async createMultipartUpload(key: string, options?: PutOptions): Promise<{ uploadId: string }> {
    validateObjectKey(key);
    const signal = options?.signal;
    signal?.throwIfAborted();
    const uploadId = randomUUID();
    const manifest: UploadManifest = { key, createdAt: new Date().toISOString() };
    if (options?.contentType) manifest.contentType = options.contentType;
    if (options?.cacheControl) manifest.cacheControl = options.cacheControl;
    // Aborted before the rename, the folder stays empty: nothing refers to it, and
    // expireMultipartUploads removes it like any idle upload.
    await this.writeAtomically(
      join(this.uploadDir(uploadId), MANIFEST),
      (tmp) => writeFile(tmp, JSON.stringify(manifest), { flush: true }),
      { signal },
    );
    return { uploadId };
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable | Buffer,
    size: number,
  ): Promise<UploadedPart> {
    validatePartNumber(partNumber);
    validatePartSize(partNumber, size);
    if (Buffer.isBuffer(body) && body.length !== size) throw sizeMismatch(partNumber, size, body.length);
    await this.readManifest(key, uploadId);
    const hash = createHash('sha256');
    let etag = '';
    const partPath = join(this.uploadDir(uploadId), String(partNumber));
    try {
      // No mkdir here: if the upload was aborted meanwhile, writing fails instead of
      // resurrecting its folder.
      await this.writeAtomically(
        partPath,
        async (tmp) => {
          const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
          await pipeline(
            source,
            sizeChecked(partNumber, size, (chunk) => hash.update(chunk)),
            createWriteStream(tmp),
          );
          etag = hash.digest('hex');
          await writeFile(tmp, `${etag}\n`, { flag: 'a', flush: true });
        },
        { createDir: false },
      );
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
    // The manifest disappears when the upload is aborted or completed meanwhile; do not
    // report success for a part nobody will ever assemble.
    await this.readManifest(key, uploadId);
    return { partNumber, etag, size };
  }

  async presignUploadPart(): Promise<string | null> {
    return null;
  }

  async listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    await this.readManifest(key, uploadId);
    const dir = this.uploadDir(uploadId);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => PART_FILE.test(name));
    const parts: UploadedPart[] = [];
    for (const name of names) {
      const part = await openPart(join(dir, name), Number(name));
      if (!part) continue;
      await part.handle.close();
      parts.push({ partNumber: part.partNumber, etag: part.etag, size: part.size });
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: Array<{ partNumber: number; etag: string }>,
  ): Promise<void> {
    const wanted = sortCompletedParts(parts);
    await this.readManifest(key, uploadId);
    const dir = this.uploadDir(uploadId);
    // Open every part before writing anything: the open handles pin the exact bytes whose
    // etags were checked, even if a part is re-sent while we concatenate.
    const opened: OpenPart[] = [];
    try {
      for (const [i, { partNumber, etag }] of wanted.entries()) {
        const part = await openPart(join(dir, String(partNumber)), partNumber);
        if (part) opened.push(part);
        if (!part || !sameEtag(part.etag, etag)) {
          throw new MultipartUploadError(
            'invalid_part',
            `Part ${partNumber} was not uploaded or its etag does not match`,
          );
        }
        if (i < wanted.length - 1 && part.size < this.minPartSize) {
          throw new MultipartUploadError(
            'part_too_small',
            `Part ${partNumber} has ${part.size} bytes; every part but the last needs at least ${this.minPartSize}`,
          );
        }
      }
      await this.writeAtomically(this.pathFor(key), async (tmp) => {
        const out = createWriteStream(tmp, { flush: true });
        for (const part of opened) {
          if (part.size === 0) continue;
          await pipeline(part.handle.createReadStream({ start: 0, end: part.size - 1, autoClose: false }), out, {
            end: false,
          });
        }
        out.end();
        await finished(out);
      });
    } finally {
      await Promise.all(opened.map((part) => part.handle.close()));
    }
    await rm(dir, { recursive: true, force: true });
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.readManifest(key, uploadId);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return;
      throw error;
    }
    await rm(this.uploadDir(uploadId), { recursive: true, force: true });
  }

  async presignGet(): Promise<string | null> {
    return null;
  }

  /**
   * Removes multipart uploads with no activity (no part written, no manifest change) since
   * `olderThan`, whatever their state, and says which. Activity rather than creation time,
   * so a slow but live upload that resumes every day is not cut off.
   */
  async expireMultipartUploads(olderThan: Date): Promise<ExpiredUpload[]> {
    const root = join(this.rootDir, RESERVED_KEY_PREFIX);
    const expired: ExpiredUpload[] = [];
    const entries = await readdir(root, { withFileTypes: true }).catch((error: unknown) => {
      ignoreMissing(error);
      return [] as Dirent[];
    });
    for (const entry of entries) {
      if (!entry.isDirectory() || !UPLOAD_ID.test(entry.name)) continue;
      const dir = join(root, entry.name);
      if ((await lastActivity(dir)) >= olderThan.getTime()) continue;
      const manifest = await readFile(join(dir, MANIFEST), 'utf8').then(
        (text) => (JSON.parse(text) as UploadManifest).key,
        () => null,
      );
      await rm(dir, { recursive: true, force: true });
      expired.push({ uploadId: entry.name, key: manifest });
    }
    return expired;
  }

  private pathFor(key: string): string {
    return join(this.rootDir, ...key.split('/'));
  }

  private uploadDir(uploadId: string): string {
    return join(this.rootDir, RESERVED_KEY_PREFIX, uploadId);
  }

  /** The upload's manifest; ObjectNotFoundError when the id is unknown, malformed or for another key. */
  private async readManifest(key: string, uploadId: string): Promise<UploadManifest> {
    validateObjectKey(key);
    // Upload ids arrive from clients: anything but our own UUIDs is simply not found (and
    // never reaches a path).
    if (typeof uploadId !== 'string' || !UPLOAD_ID.test(uploadId)) throw new ObjectNotFoundError(key);
    let manifest: UploadManifest;
    try {
      manifest = JSON.parse(await readFile(join(this.uploadDir(uploadId), MANIFEST), 'utf8')) as UploadManifest;
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
    if (manifest.key !== key) throw new ObjectNotFoundError(key);
    return manifest;
  }

  /**
   * Writes `finalPath` through a temp file renamed into place. With a signal, an abort at any
   * point before the rename removes the temp file and rejects with the signal's reason
   * (whatever error the interrupted write failed with), so the caller can tell an abort from
   * a storage failure; the rename itself is the commit and is not undone.
   */
  private async writeAtomically(
    finalPath: string,
    write: (tmpPath: string) => Promise<void>,
    { createDir = true, signal }: { createDir?: boolean; signal?: AbortSignal | undefined } = {},
  ): Promise<void> {
    const dir = dirname(finalPath);
    if (createDir) await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.~${randomUUID()}.tmp`);
    try {
      signal?.throwIfAborted();
      await write(tmp);
      signal?.throwIfAborted();
      await rename(tmp, finalPath);
    } catch (error) {
      await rm(tmp, { force: true });
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  }

  private async *walkKeys(dirKey: string, prefix: string): AsyncGenerator<ObjectInfo> {
    const dirPath = dirKey ? this.pathFor(dirKey) : this.rootDir;
    const entries = await readdir(dirPath, { withFileTypes: true }).catch((error: unknown) => {
      ignoreMissing(error);
      return [] as Dirent[];
    });
    // Sorting directories as "name/" yields keys in the same byte order S3 lists them.
    const sortName = (entry: Dirent) => (entry.isDirectory() ? `${entry.name}/` : entry.name);
    entries.sort((a, b) => (sortName(a) < sortName(b) ? -1 : sortName(a) > sortName(b) ? 1 : 0));
    for (const entry of entries) {
      if (!VALID_NAME.test(entry.name) || entry.name === '.' || entry.name === '..') continue;
      if (!dirKey && entry.name === RESERVED_KEY_PREFIX) continue;
      const key = dirKey ? `${dirKey}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walkKeys(key, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const info = await statOrNull(join(dirPath, entry.name));
        if (info?.isFile())
          yield { key, size: info.size, lastModified: info.mtime, contentType: guessContentType(key) };
      }
    }
  }
}

interface OpenPart {
  partNumber: number;
  handle: FileHandle;
  etag: string;
  size: number;
}

/** Opens a part file and reads its etag trailer; null when the part does not exist. */
async function openPart(path: string, partNumber: number): Promise<OpenPart | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  try {
    const { size: fileSize } = await handle.stat();
    if (fileSize < ETAG_TRAILER_BYTES) throw new Error(`Corrupt multipart part file ${path}`);
    const trailer = Buffer.alloc(ETAG_TRAILER_BYTES);
    await handle.read(trailer, 0, ETAG_TRAILER_BYTES, fileSize - ETAG_TRAILER_BYTES);
    return { partNumber, handle, etag: trailer.toString('ascii').trim(), size: fileSize - ETAG_TRAILER_BYTES };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function openObject(path: string, key: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissing(error)) throw new ObjectNotFoundError(key);
    throw error;
  }
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  throw new ObjectNotFoundError(key);
}

/** Every regular file under `dir` (temp files of in-flight writes excluded). */
async function* walkFiles(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    ignoreMissing(error);
    return [] as Dirent[];
  });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkFiles(path);
    else if (entry.isFile() && VALID_NAME.test(entry.name)) yield path;
  }
}

/** Removes `dir` and its subdirectories bottom-up where empty; a write in progress keeps its directory. */
async function removeEmptyDirs(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  for (const entry of entries) if (entry.isDirectory()) await removeEmptyDirs(join(dir, entry.name));
  await rmdir(dir).catch(() => undefined);
}

async function lastActivity(dir: string): Promise<number> {
  let latest = (await statOrNull(dir))?.mtimeMs ?? 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    latest = Math.max(latest, (await statOrNull(join(dir, name)))?.mtimeMs ?? 0);
  }
  return latest;
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    ignoreMissing(error);
    return null;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error;
}

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.m4a': 'audio/mp4',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.vtt': 'text/vtt',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.json': 'application/json',
  '.txt': 'text/plain',
};

/** Local storage keeps no metadata, so the content type comes from the key's extension. */
export function guessContentType(key: string): string | undefined {
  return CONTENT_TYPES[extname(key).toLowerCase()];
}
