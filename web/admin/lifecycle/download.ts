// Starts a download of what a POST answers (a zip) through a form, so the browser streams it to disk as it arrives
// instead of holding it in memory (the server takes the JSON body as the form field `request`). The form targets a
// hidden frame: a download leaves the page as it is, and an error answer (JSON) loads there and is reported.
import { errorFromBody } from '../../ui/api.js';

const FRAME = 'p-download';

export function downloadPost(path: string, body: unknown, onError: (message: string) => void): void {
  let frame = document.querySelector<HTMLIFrameElement>(`iframe[name="${FRAME}"]`);
  if (!frame) {
    frame = document.createElement('iframe');
    frame.name = FRAME;
    frame.title = 'Downloads';
    frame.hidden = true;
    document.body.append(frame);
  }
  const target = frame;
  target.onload = () => {
    const doc = target.contentDocument;
    if (!doc || doc.location.href === 'about:blank') return;
    const text = doc.body?.textContent ?? '';
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {}
    onError(errorFromBody(400, parsed).message);
  };
  const form = document.createElement('form');
  form.method = 'post';
  form.action = path;
  form.target = FRAME;
  form.enctype = 'application/x-www-form-urlencoded';
  const field = document.createElement('input');
  field.type = 'hidden';
  field.name = 'request';
  field.value = JSON.stringify(body ?? {});
  form.append(field);
  document.body.append(form);
  form.submit();
  form.remove();
}
