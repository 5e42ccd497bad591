// Unsaved changes in an admin form: leaving the page (reload, close, another site) asks through the browser's own
// prompt, and moving to another admin section (sidebar link, Back, a typed #/route) asks with window.confirm — the
// browser's native dialog, keyboard- and screen-reader-accessible. Declining keeps the page and the address.
import { useEffect } from 'react';

export const LEAVE_QUESTION = 'You have unsaved changes. Leave this page and lose them?';

const dirtyForms = new Set<symbol>();

/** Whether the move to another section may go ahead: true when nothing is unsaved or the admin confirms. */
export function mayLeaveSection(): boolean {
  return dirtyForms.size === 0 || window.confirm(LEAVE_QUESTION);
}

/** While `dirty`, the page asks before the admin leaves it (the whole page or this admin section). */
export function useUnsavedChanges(dirty: boolean) {
  useEffect(() => {
    if (!dirty) return;
    const id = Symbol('unsaved form');
    dirtyForms.add(id);
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => {
      dirtyForms.delete(id);
      window.removeEventListener('beforeunload', warn);
    };
  }, [dirty]);
}
