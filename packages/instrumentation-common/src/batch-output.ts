import type { BatchReading, BatchResult } from './batch-reading';

/** How the lines of one batch results file are read. */
export interface BatchOutputFile {
  /** The file is known to hold a batch's results (this process saw the job); else its first line decides. */
  known: boolean;
  /** Whether a file's first line is a line of batch results. */
  isOutputLine(line: string): boolean;
  /** The result one line holds (`index`: its place among the file's lines), or null (a failed request). */
  resultOf(line: unknown, index: number): BatchResult | null;
  /** The reading the results are recorded in, started with the first line. */
  reading(): BatchReading;
}

/**
 * Reads a batch results file (JSONL) as it arrives, beside the app, so the whole file is never held
 * twice: each line's result is recorded in one reading. A file not known to be results is let go at
 * its first bytes unless they open a JSON object whose line `isOutputLine` accepts.
 */
export async function readBatchOutput(chunks: AsyncIterable<Uint8Array>, file: BatchOutputFile): Promise<void> {
  const decoder = new TextDecoder();
  let rest = '';
  let index = 0;
  let reading: BatchReading | null = null;
  const line = (text: string): boolean => {
    if (!text.trim()) return true;
    if (!reading) {
      if (!file.known && !file.isOutputLine(text)) return false;
      reading = file.reading();
    }
    const result = file.resultOf(JSON.parse(text), index++);
    if (result) reading.result(result);
    return true;
  };
  try {
    for await (const chunk of chunks) {
      rest += decoder.decode(chunk, { stream: true });
      // Batch results are JSON objects: anything else (a video, a text file) is not read further.
      if (!file.known && !reading && rest.trim() && !rest.trimStart().startsWith('{')) return;
      const lines = rest.split('\n');
      rest = lines.pop()!;
      if (!lines.every(line)) return;
    }
    line(rest + decoder.decode());
    (reading as BatchReading | null)?.end();
  } catch (err) {
    (reading as BatchReading | null)?.end(err);
    throw err;
  }
}
