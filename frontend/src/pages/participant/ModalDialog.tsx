import { type ReactNode, useEffect, useId, useRef } from "react";

type Props = {
  title: string;
  /** Called when the dialog closes by itself (Escape, the browser's own close). */
  onClose: () => void;
  children: ReactNode;
};

/**
 * A native modal <dialog>: the browser traps focus inside it and closes it on Escape. It opens
 * when mounted and closes when unmounted; the owner renders it only while it is wanted and
 * moves focus back to the button that opened it.
 */
export function ModalDialog({ title, onClose, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    // jsdom (the unit tests) has no showModal: an open attribute shows the content there.
    if (typeof dialog.showModal === "function") {
      if (!dialog.open) dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
    const handleClose = () => onCloseRef.current();
    dialog.addEventListener("close", handleClose);
    return () => {
      dialog.removeEventListener("close", handleClose);
      if (dialog.open && typeof dialog.close === "function") dialog.close();
    };
  }, []);

  return (
    <dialog ref={ref} aria-labelledby={titleId} className="participant-dialog">
      <h2 id={titleId} className="participant-dialog__title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
