// A bot question's quick replies: clicking one sends its label as the visitor's text message.

export function ChoiceButtons({
  buttons,
  disabled,
  onChoose,
}: {
  buttons: { label: string }[];
  disabled: boolean;
  onChoose: (label: string) => void;
}) {
  return (
    <div className="w-choices" role="group" aria-label="Quick replies">
      {buttons.map((b, i) => (
        <button
          key={`${i}-${b.label}`}
          type="button"
          className="w-choice"
          disabled={disabled}
          onClick={() => onChoose(b.label)}
        >
          {b.label}
        </button>
      ))}
    </div>
  );
}
