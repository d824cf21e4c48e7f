import { cloneElement, isValidElement, useId } from "react";
import type { ReactElement, ReactNode } from "react";

type ControlProps = {
  id?: string;
  "aria-describedby"?: string;
  "aria-invalid"?: boolean;
  "aria-required"?: boolean;
};

type Props = {
  label: ReactNode;
  /** Shown under the label; tied to the control with aria-describedby. */
  hint?: ReactNode;
  /** A message about this field; tied to the control and announced. */
  error?: string | null;
  required?: boolean;
  children: ReactElement<ControlProps>;
};

/** A labelled form control whose hint and error are tied to it, as WCAG 1.3.1 / 3.3.1 ask. */
export function Field({ label, hint, error, required, children }: Props) {
  const generated = useId();
  const id = children.props.id ?? generated;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const control = isValidElement(children)
    ? cloneElement(children, {
        id,
        "aria-describedby": describedBy,
        "aria-invalid": error ? true : undefined,
        "aria-required": required || undefined,
      })
    : children;
  return (
    <div className={error ? "field field--error" : "field"}>
      <label htmlFor={id} className="field__label">
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {control}
      {error && (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
