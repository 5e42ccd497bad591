// Chooses the step that follows ("next"), or none.

export function NextSelect({
  label,
  value,
  stepIds,
  onChange,
}: {
  label: string;
  value?: string;
  stepIds: string[];
  onChange: (next: string | undefined) => void;
}) {
  return (
    <select aria-label={label} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
      <option value="">(none)</option>
      {stepIds.map((id) => (
        <option key={id} value={id}>
          {id}
        </option>
      ))}
    </select>
  );
}
