// Picks the workspace the console/admin works on; the choice is remembered per app in localStorage.
import { useEffect, useState } from 'react';
import type { WorkspaceRef } from './types.js';

export function useWorkspaceChoice(app: string, workspaces: WorkspaceRef[]) {
  const storageKey = `parley.${app}.workspace`;
  const [chosen, setChosen] = useState<string | undefined>(() => {
    try {
      return localStorage.getItem(storageKey) ?? undefined;
    } catch {
      return undefined;
    }
  });
  const current = workspaces.find((w) => w.id === chosen) ?? workspaces[0];
  useEffect(() => {
    if (!current) return;
    try {
      localStorage.setItem(storageKey, current.id);
    } catch {
      /* remembered for this page view only */
    }
  }, [current, storageKey]);
  return [current, setChosen] as const;
}

export function WorkspaceSwitcher({
  workspaces,
  currentId,
  onChange,
}: {
  workspaces: WorkspaceRef[];
  currentId?: string;
  onChange: (id: string) => void;
}) {
  if (workspaces.length === 0) return null;
  return (
    <label className="p-ws-switcher">
      <span className="sr-only">Workspace</span>
      <select aria-label="Workspace" value={currentId} onChange={(e) => onChange(e.target.value)}>
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
    </label>
  );
}
