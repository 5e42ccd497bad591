// A bot's request for a file, inside the chat: its prompt, "Upload file", and "Skip" when the step is optional.
// Once the request is answered, skipped or expired both buttons stay disabled.
import type { UploadRequest } from '../ui/types.js';
import { FilePicker } from '../ui/FilePicker.js';
import { allowedList } from '../ui/file-rules.js';

export interface UploadRequestCardProps {
  request: UploadRequest;
  showPrompt: boolean;
  /** Set once the request is no longer open: what to say instead ("Sent", "Skipped", …). */
  closedText?: string;
  busy: boolean;
  /** The picker's `accept`: the side's types narrowed by the request's. */
  accept?: string;
  onFiles: (files: File[]) => void;
  onSkip: () => void;
}

export function UploadRequestCard({
  request,
  showPrompt,
  closedText,
  busy,
  accept,
  onFiles,
  onSkip,
}: UploadRequestCardProps) {
  const types = allowedList(request.allowedTypes);
  const closed = closedText !== undefined;
  const maxFiles = Math.max(1, request.maxFiles || 1);
  return (
    <div className="w-request" role="group" aria-label="File requested by the assistant">
      {showPrompt && <p className="w-request__prompt">{request.prompt}</p>}
      <p className="w-request__hint">
        {types.length ? `Allowed: ${types.join(', ')}` : 'Any file type'}
        {maxFiles > 1 ? ` · up to ${maxFiles} files` : ''}
      </p>
      <div className="w-request__actions">
        <FilePicker
          label="Upload file"
          className="primary"
          multiple={maxFiles > 1}
          accept={accept}
          disabled={closed || busy}
          onFiles={onFiles}
        />
        {request.optional && (
          <button type="button" disabled={closed || busy} onClick={onSkip}>
            Skip
          </button>
        )}
      </div>
      {closed && <p className="w-request__done">{closedText}</p>}
    </div>
  );
}
