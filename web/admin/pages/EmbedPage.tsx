// Embed: the <script> tag to paste into the website, with Copy.
import { enc } from '../../ui/api.js';
import { CopyButton } from '../CopyButton.js';
import { useLoad } from '../useLoad.js';

export function EmbedPage({ workspaceId }: { workspaceId: string }) {
  const { data, error } = useLoad<{ snippet: string }>(`/api/workspaces/${enc(workspaceId)}/embed`);
  return (
    <section>
      <h1>Embed</h1>
      <p className="p-muted a-intro">Paste this tag into every page of your website, just before <code>&lt;/body&gt;</code>.</p>
      {error && <p className="p-notice p-notice--error" role="alert">{error}</p>}
      {data && (
        <div className="a-card">
          <pre className="a-pre" aria-label="Embed snippet">{data.snippet}</pre>
          <CopyButton text={data.snippet} label="Copy snippet" />
        </div>
      )}
    </section>
  );
}
