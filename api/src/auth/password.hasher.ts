import { Injectable } from '@nestjs/common';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// Algorithm is an ambient const enum, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/** argon2id with OWASP's recommended parameters (19 MiB, 2 passes). */
@Injectable()
export class PasswordHasher {
  private readonly options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  /** Verified against when the account does not exist, so timing does not reveal emails. */
  private dummyHash: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return hash(password, this.options);
  }

  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    this.dummyHash ??= this.hash('aleflix-timing-equaliser');
    const target = passwordHash ?? (await this.dummyHash);
    try {
      return (await verify(target, password)) && passwordHash !== undefined;
    } catch {
      return false;
    }
  }
}
