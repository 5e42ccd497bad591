// Running uploads, one row each: name, a progress bar, Pause/Resume (resumable uploads) and a Cancel button.
import type { UploadEntry } from './useUploads.js';
import { formatSize } from './format.js';

export function UploadList({ entries }: { entries: UploadEntry[] }) {
  if (entries.length === 0) return null;
  return (
    <ul className="p-uploads" aria-label="Uploads in progress">
      {entries.map((e) => {
        const percent = e.total > 0 ? Math.min(100, Math.round((e.loaded / e.total) * 100)) : 0;
        return (
          <li key={e.key} className="p-upload">
            <div className="p-upload__top">
              <span className="p-upload__name" title={e.label}>
                {e.label}
              </span>
              <span className="p-upload__size">
                {formatSize(e.loaded)} / {formatSize(e.total)}
              </span>
              {e.pause && e.resume && (
                <button
                  type="button"
                  className="p-upload__pause"
                  onClick={e.paused ? e.resume : e.pause}
                  aria-label={`${e.paused ? 'Resume' : 'Pause'} upload of ${e.label}`}
                >
                  {e.paused ? 'Resume' : 'Pause'}
                </button>
              )}
              <button
                type="button"
                className="p-upload__cancel"
                onClick={e.cancel}
                aria-label={`Cancel upload of ${e.label}`}
              >
                Cancel
              </button>
            </div>
            <div
              className="p-progress"
              role="progressbar"
              aria-label={`Uploading ${e.label}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
            >
              <div className="p-progress__bar" style={{ width: `${percent}%` }} />
            </div>
          </li>
        );
      })}
    </ul>
  );
}
