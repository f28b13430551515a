"use client";
// A confirmation as a native modal <dialog>: it traps focus, Escape cancels,
// and the text says what will happen. Cancel has the focus first, so Enter
// never confirms a destructive action by accident.
import { useEffect, useId, useRef, type ReactNode } from "react";

export interface ConfirmRequest {
  readonly title: string;
  readonly body: ReactNode;
  readonly confirmLabel: string;
  readonly onConfirm: () => void;
}

export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (request !== null && !dialog.open) dialog.showModal();
    if (request === null && dialog.open) dialog.close();
  }, [request]);
  return (
    <dialog ref={ref} className="confirm" aria-labelledby={titleId} aria-describedby={bodyId} onClose={onClose}>
      {request !== null && (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            request.onConfirm();
            onClose();
          }}
        >
          <h2 id={titleId}>{request.title}</h2>
          <div id={bodyId}>{request.body}</div>
          <div className="dialog-actions">
            <button type="button" className="secondary" autoFocus onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="danger">
              {request.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
