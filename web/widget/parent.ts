// The only conversation with the host page: open/close notices over postMessage, nothing else crosses.

/** Inside the loader's iframe (the admin's bot preview is an iframe too, but has no loader to talk to). */
export const inFrame = window.parent !== window && new URLSearchParams(location.search).get('preview') !== '1';

export function askParentToClose() {
  if (inFrame) window.parent.postMessage({ type: 'parley:close' }, '*');
}

/** Calls `onOpen` when the loader says the chat was opened (to move focus into the composer). */
export function onParentOpen(onOpen: () => void): () => void {
  const listener = (e: MessageEvent) => {
    if (e.source === window.parent && (e.data as { type?: string } | null)?.type === 'parley:open') onOpen();
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}
