import type { AuditChange, AuditService } from '../src/audit/audit.service.js';

/** An AuditService for unit tests of services: keeps what they record, in memory. */
export class RecordingAudit {
  readonly changes: AuditChange[] = [];

  async record(change: AuditChange): Promise<void> {
    this.changes.push(change);
  }

  asService(): AuditService {
    return this as unknown as AuditService;
  }
}
