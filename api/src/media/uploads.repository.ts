import { Injectable } from '@nestjs/common';
import { DataSource, LessThan, type EntityManager, type Repository } from 'typeorm';
import { UploadEntity } from './upload.entity.js';

@Injectable()
export class UploadsRepository {
  constructor(private readonly dataSource: DataSource) {}

  repo(manager?: EntityManager): Repository<UploadEntity> {
    return (manager ?? this.dataSource.manager).getRepository(UploadEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<UploadEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  insert(values: Omit<UploadEntity, 'id' | 'createdAt' | 'updatedAt'>, manager?: EntityManager): Promise<UploadEntity> {
    const repo = this.repo(manager);
    return repo.save(repo.create(values));
  }

  async transition(
    id: string,
    from: UploadEntity['status'],
    to: UploadEntity['status'],
    manager?: EntityManager,
  ): Promise<boolean> {
    const result = await this.repo(manager).update({ id, status: from }, { status: to });
    return (result.affected ?? 0) > 0;
  }

  expiredOpen(now: Date): Promise<UploadEntity[]> {
    return this.repo().find({ where: { status: 'open', expiresAt: LessThan(now) }, take: 100 });
  }
}
