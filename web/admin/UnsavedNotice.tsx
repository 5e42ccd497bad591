// The line a settings form shows beside Save while it holds changes not saved yet (useUnsavedChanges guards leaving).
export function UnsavedNotice({ dirty }: { dirty: boolean }) {
  if (!dirty) return null;
  return (
    <p className="p-notice a-unsaved" role="status">
      You have unsaved changes.
    </p>
  );
}
