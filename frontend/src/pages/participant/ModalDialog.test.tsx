import { act, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ModalDialog } from "./ModalDialog";

function dialogElement(): HTMLDialogElement {
  return screen.getByRole("dialog", { hidden: true }) as HTMLDialogElement;
}

function renderDialog(onClose: () => void, title = "Starta") {
  render(
    <ModalDialog title={title} onClose={onClose}>
      <p>Innehåll</p>
    </ModalDialog>,
  );
}

describe("ModalDialog", () => {
  it("tells its owner on Escape's cancel event, before the browser's later close event", () => {
    const onClose = vi.fn();
    renderDialog(onClose);
    act(() => {
      dialogElement().dispatchEvent(new Event("cancel", { cancelable: true }));
    });
    expect(onClose).toHaveBeenCalledTimes(1);
    // The close event that follows Escape is the same closing: not a second one.
    act(() => {
      dialogElement().dispatchEvent(new Event("close"));
    });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("tells its owner when the browser closes it without Escape", () => {
    const onClose = vi.fn();
    renderDialog(onClose);
    act(() => {
      dialogElement().dispatchEvent(new Event("close"));
    });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("is labelled by its title", () => {
    renderDialog(() => {}, "Pausa");
    expect(screen.getByRole("dialog", { name: "Pausa" })).toBeInTheDocument();
  });
});
