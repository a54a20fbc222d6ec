import type { Collection } from 'mongodb';
import type { KeysRequiredMark } from '../repositories/keys-required.repository';
import { insertOnce } from './inserts';

/** The mark: one document of a fixed `_id`. */
export interface KeysRequiredDoc {
  _id: string;
  sinceMs: number;
}

const MARK_ID = 'keys-required';

/** The mark in a collection of its own. */
export class MongoKeysRequired implements KeysRequiredMark {
  constructor(private readonly marks: Collection<KeysRequiredDoc>) {}

  async mark(sinceMs: number): Promise<void> {
    await insertOnce(this.marks, { _id: MARK_ID, sinceMs });
  }

  async isMarked(): Promise<boolean> {
    return (await this.marks.findOne({ _id: MARK_ID })) !== null;
  }
}
