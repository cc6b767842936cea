// Where the bytes of an upload come from. A part is read only when it is about to be sent,
// so memory stays at (concurrency × part size) whatever the file size: Blob.slice in
// browsers, a file handle's positional reads in Node.

/** Random access to the bytes being uploaded. Implement it to upload from anything else. */
export interface UploadSource {
  /** Total bytes. */
  readonly size: number;
  /** File name, when the source knows it (File, a path). */
  readonly name?: string;
  /** Media type, when the source knows it (File.type). */
  readonly type?: string;
  /** Bytes [start, end). */
  read(start: number, end: number): Promise<Uint8Array>;
  /** Releases what the source holds open (a file handle). */
  close?(): Promise<void>;
}

/** What `uploads.upload` accepts: a file path (Node), a Blob or File (browsers, Node), or a custom source. */
export type UploadInput = string | Blob | UploadSource;

export function blobSource(blob: Blob): UploadSource {
  const file = blob as Blob & { name?: unknown };
  return {
    size: blob.size,
    ...(typeof file.name === 'string' && file.name ? { name: file.name } : {}),
    ...(blob.type ? { type: blob.type } : {}),
    read: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
  };
}

/** Node only: opens the file once and reads parts at their offsets (loaded lazily, so browsers never import node:fs). */
export async function pathSource(path: string): Promise<UploadSource> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      size,
      name: path.split(/[\\/]/).pop() ?? path,
      type: guessContentType(path),
      read: async (start, end) => {
        const bytes = new Uint8Array(end - start);
        for (let offset = 0; offset < bytes.length;) {
          const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, start + offset);
          if (bytesRead === 0) throw new Error(`${path} is shorter than expected (changed while uploading?)`);
          offset += bytesRead;
        }
        return bytes;
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export async function toSource(input: UploadInput): Promise<UploadSource> {
  if (typeof input === 'string') return pathSource(input);
  if (typeof Blob !== 'undefined' && input instanceof Blob) return blobSource(input);
  const source = input as UploadSource;
  if (typeof source.read !== 'function' || !Number.isInteger(source.size)) {
    throw new TypeError('uploads.upload: expected a file path, a Blob or an UploadSource');
  }
  return source;
}

const VIDEO_TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
  ts: 'video/mp2t',
  mts: 'video/mp2t',
  m2ts: 'video/mp2t',
  mpg: 'video/mpeg',
  mpeg: 'video/mpeg',
  wmv: 'video/x-ms-wmv',
  flv: 'video/x-flv',
  ogv: 'video/ogg',
  '3gp': 'video/3gpp',
};

/** A media type from a file name's extension; application/octet-stream when unknown. */
export function guessContentType(filename: string): string {
  const extension = filename.toLowerCase().split('.').pop() ?? '';
  return VIDEO_TYPES[extension] ?? 'application/octet-stream';
}

/** Hex SHA-256 with Web Crypto, which Node (≥ 20) and browsers both have. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
