// Settings → Content safety: "Remove location and camera data from photos" (on by default) and what happens to
// uploads while the malware scanner is down (refuse them, or store them held and scan them when it is back). Says
// whether this server scans at all (PARLEY_CLAMAV): the outage policy only matters when it does.
import { useEffect, useState, type FormEvent } from 'react';
import { enc } from '../../ui/api.js';
import { SaveBar } from '../SaveBar.js';
import { Switch } from '../Switch.js';
import { useSettingsForm, type TestOutcome } from '../useSettingsForm.js';
import { useUnsavedChanges } from '../unsaved.js';
import type { Schemas } from '../../ui/types.js';
import { UnsavedNotice } from '../UnsavedNotice.js';

type ContentSafety = Schemas['ContentSafetySettings'];

export function ContentSafetyPage({ workspaceId }: { workspaceId: string }) {
  const path = `/api/workspaces/${enc(workspaceId)}/settings/content-safety`;
  const { data, error, fields, save, put } = useSettingsForm<ContentSafety, TestOutcome>(path);
  const [strip, setStrip] = useState(true);
  const [whenDown, setWhenDown] = useState<ContentSafety['whenScannerDown']>('refuse');
  // The form shows once it holds the saved settings: for the render in between, it would show the defaults.
  const [filled, setFilled] = useState(false);

  useEffect(() => {
    if (!data) return;
    setStrip(data.stripPhotoMetadata);
    setWhenDown(data.whenScannerDown);
    setFilled(true);
  }, [data]);

  const dirty = filled && !!data && (strip !== data.stripPhotoMetadata || whenDown !== data.whenScannerDown);
  useUnsavedChanges(dirty);

  function submit(e: FormEvent) {
    e.preventDefault();
    void put({ stripPhotoMetadata: strip, whenScannerDown: whenDown });
  }

  return (
    <section>
      <p className="a-crumbs">Settings</p>
      <h1>Content safety</h1>
      <p className="a-intro">
        Photos carry where and with what they were taken; files can carry malware. These settings apply to every file
        sent in this workspace's chats, by visitors and by agents, from the very next upload.
      </p>
      {error && (
        <p className="p-notice p-notice--error" role="alert">
          {error}
        </p>
      )}
      {data && filled && (
        <form className="a-card a-form" onSubmit={submit} noValidate aria-label="Content safety settings">
          <Switch
            label="Remove location and camera data from photos"
            on={strip}
            onChange={setStrip}
            error={fields.stripPhotoMetadata}
            hint={
              'GPS position, camera, dates, XMP and IPTC are removed from JPEG, PNG, WebP, HEIC and AVIF originals ' +
              '(the pixels and the orientation are kept), and so is what phones append after a JPEG (a motion ' +
              "photo's video). Files already stored are not changed."
            }
          />
          <fieldset className="a-sub">
            <legend>When the malware scanner is down</legend>
            <p className={data.scannerConfigured ? 'p-field__hint' : 'p-notice p-notice--info'}>
              {data.scannerConfigured
                ? 'This server scans every file with ClamAV.'
                : 'This server does not scan files: set PARLEY_CLAMAV to a clamd address and restart Parley. ' +
                  'Until then this choice has no effect.'}
            </p>
            <label className="p-field--check">
              <input
                type="radio"
                name="whenScannerDown"
                value="refuse"
                checked={whenDown === 'refuse'}
                onChange={() => setWhenDown('refuse')}
              />
              Refuse uploads until it is back (they answer "try again later"; a resumable upload already under way is
              finished and held until it has been scanned)
            </label>
            <label className="p-field--check">
              <input
                type="radio"
                name="whenScannerDown"
                value="accept"
                checked={whenDown === 'accept'}
                onChange={() => setWhenDown('accept')}
              />
              Accept them, held: nobody but the sender sees a file until it has been scanned
            </label>
            {fields.whenScannerDown && (
              <span className="p-field__error" role="alert">
                {fields.whenScannerDown}
              </span>
            )}
          </fieldset>
          <UnsavedNotice dirty={dirty} />
          <SaveBar state={save} />
        </form>
      )}
    </section>
  );
}
