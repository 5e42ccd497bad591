// The operator side's upload rules, for checking files before sending. Agents may be refused the settings (403):
// then there are no client-side rules and the server's refusals are shown instead.
import { useEffect, useState } from 'react';
import { api, enc } from '../ui/api.js';
import type { Answer, UploadRules } from '../ui/types.js';

export function useAgentRules(workspaceId: string) {
  const [rules, setRules] = useState<UploadRules>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    api<Answer<'/api/workspaces/{ws}/settings/file-upload', 'get'>>(
      `/api/workspaces/${enc(workspaceId)}/settings/file-upload`,
    ).then(
      (s) =>
        live &&
        setRules({ enabled: s.agentUploadsEnabled, allowedTypes: s.agentAllowedTypes, maxFileSizeKb: s.maxFileSizeKb }),
      () => live && setRules(undefined),
    );
    return () => {
      live = false;
    };
  }, [workspaceId, version]);
  return { rules, refresh: () => setVersion((v) => v + 1) };
}
