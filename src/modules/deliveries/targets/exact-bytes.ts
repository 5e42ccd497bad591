// The one byte counter of outgoing deliveries: a file's bytes as they stream, failing the moment there are more
// than recorded and at the end if there were fewer, so a short or changed file never lands as a complete copy.

/** Our own file could not be read as recorded (not the target's fault); the message says what went wrong. */
export class FileReadError extends Error {}

export async function* exactBytes(file: {
  size: number;
  open: () => Promise<AsyncIterable<unknown> & { destroy(): void }>;
}): AsyncGenerator<Buffer> {
  let source;
  try {
    source = await file.open();
  } catch (err) {
    throw new FileReadError(`could not open the file: ${(err as Error).message}`);
  }
  let seen = 0;
  try {
    for await (const chunk of source) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      seen += bytes.length;
      if (seen > file.size) throw new FileReadError(`the file has more than its recorded ${file.size} bytes`);
      yield bytes;
    }
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    throw new FileReadError(`could not read the file: ${(err as Error).message}`);
  } finally {
    source.destroy();
  }
  if (seen !== file.size) throw new FileReadError(`the file has ${seen} bytes, not its recorded ${file.size}`);
}
