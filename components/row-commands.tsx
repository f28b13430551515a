"use client";
// What a table row's commands share (instances, breakers): a confirmation
// dialog, the "done" message read out to screen readers, the error of the
// last command, and the same mutation callbacks (on success: say what was
// done and refresh what the change touched; refused: refresh the audit).
import { useState, type ReactNode } from "react";
import { errorText, type ApiErrorLike } from "./api-error";
import { ConfirmDialog, type ConfirmRequest } from "./confirm-dialog";
import { useInvalidate } from "./invalidate";

export function useRowCommands(touched: "service" | "breaker") {
  const invalidate = useInvalidate();
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [done, setDone] = useState("");
  /** Mutation callbacks that announce `message` once the command succeeded. */
  const announce = (message: string) => ({
    onSuccess: () => {
      setDone(message);
      void invalidate[touched]();
    },
    onError: () => {
      setDone("");
      void invalidate.refused();
    },
  });
  return { confirm, setConfirm, done, announce };
}

/** The row's buttons, then its status, its error and its confirmation dialog. */
export function RowCommands({
  children,
  done,
  error,
  confirm,
  onCloseConfirm,
}: {
  children: ReactNode;
  done: string;
  error: ApiErrorLike | null;
  confirm: ConfirmRequest | null;
  onCloseConfirm: () => void;
}) {
  return (
    <div>
      <div className="row-actions">{children}</div>
      <span role="status" className="visually-hidden">
        {done}
      </span>
      {error !== null && (
        <span role="alert" className="error small block">
          {errorText(error)}
        </span>
      )}
      <ConfirmDialog request={confirm} onClose={onCloseConfirm} />
    </div>
  );
}
