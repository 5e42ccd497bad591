// Streams a multipart request into storage, file by file, checking each against the uploader side's rules.
// All-or-nothing: on the first refusal it stops reading the request, deletes what it stored, and throws the reason.
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import busboy from 'busboy';
import type { BlobStore } from '../../storage/index.js';
import { AppError, validationFailed } from '../../errors.js';
import { newId } from '../../ids.js';
import { checkFileType, type SideRules } from './rules.js';
import type { AcceptedFile } from './commit.js';
import { cleanFileName, extensionOf, formFileName } from './names.js';
import { FileInspector, type Budget } from './inspect.js';
import { ScanTee, malwareDetected, type InlineScanOptions } from './scan-tee.js';
import { HashTap } from './hash-tap.js';
import { OFF_THREAD_MIN_BYTES } from './off-thread-hash.js';
import { metadataStripper } from './strip/index.js';

/** A file of the request, durable in storage and checked; commit.ts writes its row. */
export type ReceivedFile = AcceptedFile;

export interface ReceiveOptions {
  workspaceId: string;
  rules: SideRules;
  /** A narrower allow-list applied on top (a bot upload step's types). */
  narrowTypes?: string;
  maxFiles: number;
  budget: Budget;
  /** Remove location and camera data from photos (a streaming segment filter before storage). */
  stripPhotoMetadata?: boolean;
  /** Scan each file with clamd while it streams (when a scanner is configured). */
  scan?: InlineScanOptions;
  /** Runs once, when the first file part arrives, with the fields sent before it; may narrow the rules or refuse. */
  beforeFirstFile?: (fields: Record<string, string>) => Promise<{ narrowTypes?: string; maxFiles?: number }>;
}

/** The form fields an upload reads (service.ts): each may come once. */
const READ_FIELDS = new Set(['text', 'requestId']);

export function receiveFiles(
  storage: BlobStore,
  req: IncomingMessage,
  opts: ReceiveOptions,
): Promise<{ files: ReceivedFile[]; fields: Record<string, string> }> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType) || !/boundary=/i.test(contentType)) {
    return Promise.reject(
      new AppError('MALFORMED_MULTIPART', 'Send the files as multipart/form-data with parts named "file"'),
    );
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      preservePath: true,
      limits: { files: opts.maxFiles, fields: 20, fieldSize: 16 * 1024, parts: opts.maxFiles + 20 },
    });
  } catch {
    return Promise.reject(new AppError('MALFORMED_MULTIPART', 'The multipart body could not be read'));
  }
  let narrowTypes = opts.narrowTypes;
  let maxFiles = opts.maxFiles;
  const maxBytes = opts.rules.maxFileSizeKb * 1024;
  // A large request's files are hashed on a worker thread (so is one of unknown length); a small one's inline.
  const hashOffThread = !(Number(req.headers['content-length']) < OFF_THREAD_MIN_BYTES);

  return new Promise((resolve, reject) => {
    const files: ReceivedFile[] = [];
    const fields: Record<string, string> = {};
    const writes: Promise<unknown>[] = [];
    let failed = false;
    let finished = false;
    // Files still streaming into storage; on failure they are destroyed so their puts abort and clean up.
    const active = new Set<{ destroy(err?: Error): void }>();

    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      // Stop reading: the rest of the body is never consumed; the reply closes the connection.
      req.unpipe(parser);
      req.pause();
      parser.removeAllListeners('file');
      const error =
        err instanceof AppError ? err : new AppError('MALFORMED_MULTIPART', 'The multipart body could not be read');
      for (const inspector of active) inspector.destroy(error);
      Promise.allSettled(writes)
        .then(() => Promise.allSettled(files.map((f) => storage.delete(f.storageKey))))
        .finally(() => reject(error));
    };

    parser.on('field', (name, value, info) => {
      // busboy reports a part with an empty filename as a field; for "file" that is a nameless file.
      if (name === 'file') return fail(new AppError('INVALID_FILE_NAME', 'The file needs a usable name'));
      if (info.valueTruncated) return fail(new AppError('BAD_REQUEST', 'A form field is too long'));
      // Two of a field the upload reads would leave one silently unused: refused, and nothing is kept.
      if (READ_FIELDS.has(name) && Object.hasOwn(fields, name))
        return fail(validationFailed({ [name]: 'Sent more than once' }, `The form field "${name}" was sent twice`));
      fields[name] = value;
    });
    parser.on('filesLimit', () => fail(new AppError('BAD_REQUEST', `At most ${opts.maxFiles} files at once`)));
    let gate: Promise<void> | undefined;
    let fileCount = 0;
    parser.on('file', (fieldName, stream, info) => {
      // busboy reports a truncated body on the file stream itself; listen at once (the gate below is async).
      stream.on('error', (err) => fail(err));
      if (failed || fieldName !== 'file') {
        stream.resume();
        return;
      }
      gate ??= (opts.beforeFirstFile?.({ ...fields }) ?? Promise.resolve({})).then(
        (r: { narrowTypes?: string; maxFiles?: number }) => {
          if (r.narrowTypes) narrowTypes = r.narrowTypes;
          if (r.maxFiles) maxFiles = r.maxFiles;
        },
      );
      // The part is not read until the gate opens; busboy waits for it.
      const opened = gate.then(
        () => handleFile(fieldName, stream, info),
        (err) => {
          stream.resume();
          fail(err);
        },
      );
      writes.push(opened);
    });
    const handleFile = (_fieldName: string, stream: Readable, info: busboy.FileInfo) => {
      if (failed) {
        stream.resume();
        return;
      }
      if (++fileCount > maxFiles) {
        stream.resume();
        return fail(new AppError('BAD_REQUEST', `At most ${maxFiles} files at once`));
      }
      const name = cleanFileName(formFileName(info.filename));
      if (!name) {
        stream.resume();
        return fail(new AppError('INVALID_FILE_NAME', 'The file needs a usable name'));
      }
      const extension = extensionOf(name);
      try {
        checkFileType(opts.rules, extension, narrowTypes);
      } catch (err) {
        stream.resume();
        return fail(err);
      }
      const id = newId();
      const storageKey = `ws/${opts.workspaceId}/${id}`;
      const inspector = new FileInspector(extension, maxBytes, opts.rules.maxFileSizeKb, opts.budget, {
        hashOffThread,
      });
      // Until clamd answers the part waits (busboy applies backpressure); a refusal then stores nothing.
      const write = ScanTee.open(opts.scan).then(
        (tee) => {
          if (!failed) return store(tee);
          tee.destroy();
          stream.resume();
        },
        (err) => {
          stream.resume();
          fail(err);
        },
      );
      const store = (tee: ScanTee) => {
        stream.on('error', (err) => inspector.destroy(err));
        // inspector (size, type) → [metadata removal → hash of what is stored] → scan → storage
        const stripper = opts.stripPhotoMetadata ? metadataStripper(extension) : undefined;
        const hashTap = stripper ? new HashTap() : undefined;
        // Without a scanner the tee is left out: one Transform fewer for every chunk of every upload.
        const stages: Transform[] = [
          inspector,
          ...(stripper && hashTap ? [stripper, hashTap] : []),
          ...(tee.passThrough ? [] : [tee]),
        ];
        for (const [i, stage] of stages.entries()) {
          stage.on('error', (err) => {
            stream.unpipe(inspector);
            stream.resume();
            for (const later of stages.slice(i + 1)) later.destroy(err);
            // The stages' own refusals are AppErrors. Anything else may have come from the store's side of the pipe
            // (a full or read-only disk, S3 down): the put rejects with it as the store translated it
            // (STORAGE_UNAVAILABLE), so that answer wins over blaming the client's body.
            if (err instanceof AppError) fail(err);
          });
          if (i > 0) stages[i - 1]!.pipe(stage);
        }
        stream.pipe(inspector);
        const pipe = { destroy: (err?: Error) => stages.forEach((stage) => stage.destroy(err)) };
        active.add(pipe);
        return storage
          .put(storageKey, stages[stages.length - 1]!)
          .finally(() => active.delete(pipe))
          .then(
            async ({ size }) => {
              if (failed) return storage.delete(storageKey);
              const file: ReceivedFile = {
                id,
                name,
                extension,
                size,
                sha256: hashTap ? hashTap.sha256 : await inspector.digest(),
                mimeType: inspector.mimeType,
                storageKey,
              };
              files.push(file);
              // The verdict (or the scanner's failure) comes once the last byte went through; the bytes are stored
              // by then, so a refusal deletes them with the rest of the request.
              const outcome = await tee.outcome();
              if (outcome.scan === 'infected') return fail(malwareDetected(outcome.signature, name));
              file.scan = outcome.scan;
            },
            (err) => fail(err),
          )
          .catch((err) => fail(err));
      };
      writes.push(write);
    };
    parser.on('error', (err) => fail(err));
    parser.on('close', () => {
      finished = true;
      // Writes are pushed while earlier ones settle; wait until the list stops growing.
      const settleAll = async (): Promise<void> => {
        let n = -1;
        while (n !== writes.length) {
          n = writes.length;
          await Promise.all(writes);
        }
      };
      settleAll().then(() => {
        if (failed) return;
        if (files.length === 0)
          return fail(new AppError('BAD_REQUEST', 'Attach at least one file in a part named "file"'));
        // Keep the order in which the parts arrived.
        files.sort((a, b) => (a.id < b.id ? -1 : 1));
        resolve({ files, fields });
      }, fail);
    });
    req.on('close', () => {
      if (!req.complete && !finished) fail(new AppError('MALFORMED_MULTIPART', 'The upload was interrupted'));
    });
    req.pipe(parser);
  });
}
