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
    // Escape: the browser fires "cancel", closes the dialog at once and puts focus back on
    // the opener, but "close" only follows as a later task. The owner is told on "cancel" so
    // that its state matches the screen before the next key: Enter on the opener in between
    // set the dialog open again, and the late "close" then shut it (seen in Chromium).
    let told = false;
    const tellOwner = () => {
      if (told) return;
      told = true;
      onCloseRef.current();
    };
    dialog.addEventListener("cancel", tellOwner);
    dialog.addEventListener("close", tellOwner);
    return () => {
      dialog.removeEventListener("cancel", tellOwner);
      dialog.removeEventListener("close", tellOwner);
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
