// The mongo store's record inserter thread: inserts the record documents an ingest thread encoded
// (MongoPreparedBatch's recordDocs) over a driver connection of its own, so their serialisation and
// socket writes leave the event loop that answers reads and budget checks (see RecordInserter).
import { parentPort, workerData } from 'node:worker_threads';
import { BSON, MongoClient } from 'mongodb';
import { insertIgnoringDuplicates } from './inserts';
import { recordClaim } from './record-claims';
import type { RecordDoc } from './record-docs';

export interface InserterThreadData {
  uri: string;
  dbName: string | undefined;
  serverSelectionTimeoutMS: number;
}

export interface InsertDocsRequest {
  seq: number;
  /** The batch storing the records: their documents' `batch`, and their claims. */
  batch: string;
  /** BSON documents one after another. */
  docs: Uint8Array;
}

export type InsertDocsAnswer = { seq: number; duplicates: string[] } | { seq: number; error: string };

const { uri, dbName, serverSelectionTimeoutMS } = workerData as InserterThreadData;
// The write concern the store's own connection writes with: an answer means the records are durable.
const client = new MongoClient(uri, { serverSelectionTimeoutMS, writeConcern: { w: 'majority', journal: true } });
const records = client.db(dbName).collection<RecordDoc>('usage_records');

/** The record documents of a buffer of BSON documents one after another, as `batch` stores them. */
export function batchDocuments(bytes: Uint8Array, batch: string): RecordDoc[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const docs: RecordDoc[] = [];
  for (let offset = 0; offset < bytes.byteLength;) {
    const size = view.getInt32(offset, true);
    const doc = BSON.deserialize(bytes.subarray(offset, offset + size)) as RecordDoc;
    // The fields exist already, so they keep their place: the document is toRecordDoc's for `batch`.
    doc.batch = batch;
    doc.claim = recordClaim(batch, doc._id);
    docs.push(doc);
    offset += size;
  }
  return docs;
}

parentPort!.on('message', ({ seq, batch, docs }: InsertDocsRequest) => {
  insertIgnoringDuplicates(records, batchDocuments(docs, batch)).then(
    (duplicates) => parentPort!.postMessage({ seq, duplicates: [...duplicates] } satisfies InsertDocsAnswer),
    (err: Error) => parentPort!.postMessage({ seq, error: err.message || String(err) } satisfies InsertDocsAnswer),
  );
});
