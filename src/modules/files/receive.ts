// Streams a multipart request into storage, file by file, checking each against the uploader side's rules.
// All-or-nothing: on the first refusal it stops reading the request, deletes what it stored, and throws the reason.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { BlobStore } from '../../storage/index.js';
import { AppError } from '../../errors.js';
import { newId } from '../../ids.js';
import { typeList } from '../settings/file-upload.js';
import { cleanFileName, extensionOf } from './names.js';
import { FileInspector, type Budget } from './inspect.js';

export interface SideRules {
  enabled: boolean;
  allowedTypes: string;
  maxFileSizeKb: number;
}

export interface ReceivedFile {
  id: string;
  name: string;
  extension: string;
  size: number;
  sha256: string;
  mimeType: string;
  storageKey: string;
}

export interface ReceiveOptions {
  workspaceId: string;
  rules: SideRules;
  /** A narrower allow-list applied on top (a bot upload step's types). */
  narrowTypes?: string;
  maxFiles: number;
  budget: Budget;
  /** Runs once, when the first file part arrives, with the fields sent before it; may narrow the rules or refuse. */
  beforeFirstFile?: (fields: Record<string, string>) => Promise<{ narrowTypes?: string; maxFiles?: number }>;
}

export function notAllowed(ext: string, allowed: string): AppError {
  const what = ext ? `${ext.toUpperCase()} files are` : 'Files without an extension are';
  return new AppError('FILE_TYPE_NOT_ALLOWED', `${what} not allowed. Allowed: ${allowed.split('|').join(', ')}`, { allowedTypes: allowed });
}

export function receiveFiles(storage: BlobStore, req: IncomingMessage, opts: ReceiveOptions): Promise<{ files: ReceivedFile[]; fields: Record<string, string> }> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType) || !/boundary=/i.test(contentType)) {
    return Promise.reject(new AppError('MALFORMED_MULTIPART', 'Send the files as multipart/form-data with parts named "file"'));
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, defParamCharset: 'utf8', preservePath: true, limits: { files: opts.maxFiles, fields: 20, fieldSize: 16 * 1024, parts: opts.maxFiles + 20 } });
  } catch {
    return Promise.reject(new AppError('MALFORMED_MULTIPART', 'The multipart body could not be read'));
  }
  const allowed = typeList(opts.rules.allowedTypes);
  let narrowTypes = opts.narrowTypes;
  let maxFiles = opts.maxFiles;
  const maxBytes = opts.rules.maxFileSizeKb * 1024;

  return new Promise((resolve, reject) => {
    const files: ReceivedFile[] = [];
    const fields: Record<string, string> = {};
    const writes: Promise<unknown>[] = [];
    let failed = false;
    let finished = false;
    // Files still streaming into storage; on failure they are destroyed so their puts abort and clean up.
    const active = new Set<FileInspector>();

    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      // Stop reading: the rest of the body is never consumed; the reply closes the connection.
      req.unpipe(parser);
      req.pause();
      parser.removeAllListeners('file');
      const error = err instanceof AppError ? err : new AppError('MALFORMED_MULTIPART', 'The multipart body could not be read');
      for (const inspector of active) inspector.destroy(error);
      Promise.allSettled(writes)
        .then(() => Promise.allSettled(files.map((f) => storage.delete(f.storageKey))))
        .finally(() => reject(error));
    };

    parser.on('field', (name, value, info) => {
      // busboy reports a part with an empty filename as a field; for "file" that is a nameless file.
      if (name === 'file') return fail(new AppError('INVALID_FILE_NAME', 'The file needs a usable name'));
      if (info.valueTruncated) return fail(new AppError('BAD_REQUEST', `The field "${name}" is too long`));
      fields[name] = value;
    });
    parser.on('filesLimit', () => fail(new AppError('BAD_REQUEST', `At most ${opts.maxFiles} files at once`)));
    let gate: Promise<void> | undefined;
    let fileCount = 0;
    parser.on('file', (fieldName, stream, info) => {
      // busboy reports a truncated body on the file stream itself; listen at once (the gate below is async).
      stream.on('error', (err) => fail(err));
      if (failed || fieldName !== 'file') { stream.resume(); return; }
      gate ??= (opts.beforeFirstFile?.({ ...fields }) ?? Promise.resolve({})).then((r: { narrowTypes?: string; maxFiles?: number }) => {
        if (r.narrowTypes) narrowTypes = r.narrowTypes;
        if (r.maxFiles) maxFiles = r.maxFiles;
      });
      // The part is not read until the gate opens; busboy waits for it.
      const opened = gate.then(() => handleFile(fieldName, stream, info), (err) => { stream.resume(); fail(err); });
      writes.push(opened);
    });
    const handleFile = (_fieldName: string, stream: Readable, info: busboy.FileInfo) => {
      if (failed) { stream.resume(); return; }
      if (++fileCount > maxFiles) { stream.resume(); return fail(new AppError('BAD_REQUEST', `At most ${maxFiles} files at once`)); }
      const narrow = narrowTypes ? typeList(narrowTypes) : [];
      const name = cleanFileName(info.filename);
      if (!name) { stream.resume(); return fail(new AppError('INVALID_FILE_NAME', 'The file needs a usable name')); }
      const extension = extensionOf(name);
      if (allowed.length > 0 && !allowed.includes(extension)) { stream.resume(); return fail(notAllowed(extension, opts.rules.allowedTypes)); }
      if (narrow.length > 0 && !narrow.includes(extension)) { stream.resume(); return fail(notAllowed(extension, narrowTypes!)); }
      const id = newId();
      const storageKey = `ws/${opts.workspaceId}/${id}`;
      const inspector = new FileInspector(extension, maxBytes, opts.rules.maxFileSizeKb, opts.budget);
      stream.on('error', (err) => inspector.destroy(err));
      inspector.on('error', (err) => { stream.unpipe(inspector); stream.resume(); fail(err); });
      stream.pipe(inspector);
      active.add(inspector);
      const write = storage.put(storageKey, inspector).finally(() => active.delete(inspector)).then(({ size }) => {
        if (failed) return storage.delete(storageKey);
        files.push({ id, name, extension, size, sha256: inspector.sha256, mimeType: inspector.mimeType, storageKey });
      }, (err) => fail(err));
      writes.push(write);
    };
    parser.on('error', (err) => fail(err));
    parser.on('close', () => {
      finished = true;
      // Writes are pushed while earlier ones settle; wait until the list stops growing.
      const settleAll = async (): Promise<void> => {
        let n = -1;
        while (n !== writes.length) { n = writes.length; await Promise.all(writes); }
      };
      settleAll().then(() => {
        if (failed) return;
        if (files.length === 0) return fail(new AppError('BAD_REQUEST', 'Attach at least one file in a part named "file"'));
        // Keep the order in which the parts arrived.
        files.sort((a, b) => (a.id < b.id ? -1 : 1));
        resolve({ files, fields });
      }, fail);
    });
    req.on('close', () => { if (!req.complete && !finished) fail(new AppError('MALFORMED_MULTIPART', 'The upload was interrupted')); });
    req.pipe(parser);
  });
}
