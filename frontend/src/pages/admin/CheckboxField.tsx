import { useId } from "react";
import type { ReactNode } from "react";

type Props = {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
  name?: string;
  id?: string;
};

/** A checkbox with its label beside it and its hint and error tied to it, as Field does. */
export function CheckboxField({ label, hint, error, checked, disabled, onChange, name, id: givenId }: Props) {
  const generated = useId();
  const id = givenId ?? generated;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={error ? "field field--error admin-checkbox" : "field admin-checkbox"}>
      <div className="admin-checkbox__row">
        <input
          id={id}
          type="checkbox"
          name={name}
          checked={checked}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(e.target.checked)}
        />
        <label htmlFor={id} className="field__label">
          {label}
        </label>
      </div>
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
