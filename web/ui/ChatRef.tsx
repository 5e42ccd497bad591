// The chat's short reference (#K7M3QP), the same in the console, List File and the delivery log, and a link that
// opens the chat in the console (#ws=…&chat=…).
export function chatHref(workspaceId: string, ref: string): string {
  return `/console/#${new URLSearchParams({ ws: workspaceId, chat: ref }).toString()}`;
}

/** The workspace and chat a console link names, if any. */
export function chatFromHash(hash: string): { ws?: string; chat?: string } {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  return { ws: p.get('ws') ?? undefined, chat: p.get('chat') ?? undefined };
}

export function ChatRefLink({ workspaceId, chatRef }: { workspaceId: string; chatRef?: string }) {
  if (!chatRef) return <span className="p-muted">—</span>;
  return (
    <a className="p-chatref" href={chatHref(workspaceId, chatRef)} title="Open this chat in the console">
      #{chatRef}
    </a>
  );
}
