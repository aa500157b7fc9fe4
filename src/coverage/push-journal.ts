// Feed data pushed through the API (drive-test measurements, cell status) survives a restart:
// each applied push is kept as the bytes that were sent, in a file of its own written atomically
// (temp file, fsync, rename), and replayed in order at start through the same parser. A refused
// push leaves nothing behind. Files older than the push retention are pruned.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { FeedFormat, FeedKind } from './feeds/records.js';

export interface JournalEntry {
  path: string;
  kind: FeedKind;
  feed: string;
  format: FeedFormat;
}

export interface CapturedPush {
  /** The input, to be parsed; every byte read from it is also written to the journal's temp file. */
  stream: Readable;
  /** Keep the push (applied) or forget it (refused). */
  commit(applied: boolean): void;
}

const FILE = /^(\d{13})-(\d{6})-(cells|status|measurements|reports)-([A-Za-z0-9_.-]+)\.(csv|jsonl|json)$/;

export class PushJournal {
  readonly #dir: string;
  readonly #retentionMs: number;
  readonly #now: () => number;
  #seq = 0;

  constructor(dir: string, retentionMs: number, now: () => number = Date.now) {
    this.#dir = dir;
    this.#retentionMs = retentionMs;
    this.#now = now;
  }

  capture(input: Readable | string, kind: FeedKind, feed: string, format: FeedFormat): CapturedPush {
    mkdirSync(this.#dir, { recursive: true });
    const seq = ++this.#seq;
    const tmp = join(this.#dir, `.push-${process.pid}-${seq}.tmp`);
    const fd = openSync(tmp, 'w', 0o600);
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      closeSync(fd);
    };
    const source = typeof input === 'string' ? Readable.from([Buffer.from(input)]) : input;
    // Synchronous writes keep the file in step with what the parser has read (API bodies are
    // bounded by the body limit, so this never holds the loop for long).
    const tee = new Transform({
      transform(chunk: Buffer | string, _enc, done) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (open) writeSync(fd, buf);
        done(null, buf);
      },
    });
    source.on('error', (err) => tee.destroy(err));
    const stream = source.pipe(tee);
    return {
      stream,
      commit: (applied) => {
        try {
          if (!applied) return;
          fsyncSync(fd);
          close();
          // Names sort in push order; the feed name is safe in a file name (config NAME_PATTERN).
          const name = `${String(this.#now()).padStart(13, '0')}-${String(seq).padStart(6, '0')}-${kind}-${feed}.${format}`;
          if (!FILE.test(name)) throw new Error(`push journal: feed name "${feed}" cannot be kept on disk`);
          renameSync(tmp, join(this.#dir, name));
        } finally {
          close();
          rmSync(tmp, { force: true });
        }
      },
    };
  }

  /** Pushes to replay, oldest first; prunes those past the retention and leftover temp files. */
  entries(): JournalEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.#dir);
    } catch {
      return [];
    }
    const out: JournalEntry[] = [];
    for (const name of names.sort()) {
      const path = join(this.#dir, name);
      const m = FILE.exec(name);
      if (!m) {
        if (name.startsWith('.push-')) rmSync(path, { force: true }); // a push cut short by a crash
        continue;
      }
      if (this.#now() - Number(m[1]) > this.#retentionMs) {
        rmSync(path, { force: true });
        continue;
      }
      out.push({ path, kind: m[3] as FeedKind, feed: m[4]!, format: m[5] as FeedFormat });
    }
    return out;
  }
}
