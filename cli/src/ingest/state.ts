// The local ingest state: what a re-run needs to continue where the last one stopped. Each
// file is keyed by absolute path + size + mtime, so an edited or replaced file starts over.
// It remembers the file's SHA-256 (no second hashing pass) and, per API, the open upload
// (so only missing parts are sent) and the resulting asset. Written atomically after
// every change, so a crash or kill -9 loses nothing that was already acknowledged.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface FileState {
  sha256?: string;
  /** API URL → open upload id. */
  uploads?: Record<string, string>;
  /** API URL → asset id, once uploaded. */
  assets?: Record<string, string>;
  updatedAt?: string;
}

interface StateFile {
  version: 1;
  files: Record<string, FileState>;
}

export interface FileKey {
  path: string;
  size: number;
  mtimeMs: number;
}

export function stateKey(file: FileKey): string {
  return `${file.path}|${file.size}|${Math.trunc(file.mtimeMs)}`;
}

export class IngestState {
  private data: StateFile;

  private constructor(
    readonly path: string,
    data: StateFile,
    private readonly readOnly: boolean,
  ) {
    this.data = data;
  }

  /** Reads the state file (a missing or unreadable one is an empty state). Read-only states never write (dry runs). */
  static load(path: string, options: { readOnly?: boolean } = {}): IngestState {
    let data: StateFile = { version: 1, files: {} };
    if (existsSync(path)) {
      try {
        const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<StateFile>;
        if (parsed && typeof parsed.files === 'object' && parsed.files !== null)
          data = { version: 1, files: parsed.files };
      } catch {
        // A corrupt state only costs a re-hash; the server still dedups and resumes by content.
      }
    }
    return new IngestState(path, data, options.readOnly ?? false);
  }

  get(file: FileKey): FileState {
    return this.data.files[stateKey(file)] ?? {};
  }

  uploadId(file: FileKey, apiUrl: string): string | undefined {
    return this.get(file).uploads?.[apiUrl];
  }

  setSha256(file: FileKey, sha256: string): void {
    this.change(file, (state) => ({ ...state, sha256 }));
  }

  setUpload(file: FileKey, apiUrl: string, uploadId: string | undefined): void {
    this.change(file, (state) => {
      const uploads = { ...state.uploads };
      if (uploadId === undefined) delete uploads[apiUrl];
      else uploads[apiUrl] = uploadId;
      return { ...state, uploads };
    });
  }

  setAsset(file: FileKey, apiUrl: string, assetId: string): void {
    this.change(file, (state) => {
      const uploads = { ...state.uploads };
      delete uploads[apiUrl];
      return { ...state, uploads, assets: { ...state.assets, [apiUrl]: assetId } };
    });
  }

  private change(file: FileKey, update: (state: FileState) => FileState): void {
    const key = stateKey(file);
    this.data.files[key] = { ...update(this.data.files[key] ?? {}), updatedAt: new Date().toISOString() };
    this.save();
  }

  /** Synchronous on purpose: the upload id must be on disk before its first part is sent. */
  private save(): void {
    if (this.readOnly) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.path);
  }
}
