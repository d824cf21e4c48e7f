import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, isApiError, unwrap } from "../../api/client";
import { serverFields } from "../../api/fieldErrors";
import { useSession } from "../../auth/session";
import { errorText } from "../../components/ErrorNotice";
import { Field } from "../../components/Field";
import { ModalDialog } from "./ModalDialog";

type Props = { participantId: number; masked: string };

/**
 * The masked personnummer, and a button to see the full number after giving a reason. The
 * reveal is written to the access log by the server. The number lives only in this
 * component's state (never in the query cache or any storage): hiding it or leaving the page
 * forgets it, and seeing it again is a new, logged reveal.
 */
export function RevealPersonnummer({ participantId, masked }: Props) {
  const { t } = useTranslation("participant");
  const { can } = useSession();
  const [revealed, setRevealed] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const revealButton = useRef<HTMLButtonElement>(null);
  const hideButton = useRef<HTMLButtonElement>(null);
  const focusNext = useRef<"reveal" | "hide" | null>(null);

  useEffect(() => {
    if (asking || !focusNext.current) return;
    (focusNext.current === "hide" ? hideButton.current : revealButton.current)?.focus();
    focusNext.current = null;
  });

  // Another participant on the same page instance: never show the previous one's number.
  useEffect(() => {
    setRevealed(null);
  }, [participantId]);

  return (
    <span className="participant-pnr">
      <span className="participant-pnr__number">{revealed ?? masked}</span>
      {revealed ? (
        <button
          ref={hideButton}
          type="button"
          className="button button--secondary participant-pnr__button"
          onClick={() => {
            setRevealed(null);
            focusNext.current = "reveal";
          }}
        >
          {t("reveal.hide")}
        </button>
      ) : (
        can("participant:reveal_personnummer") && (
          <button
            ref={revealButton}
            type="button"
            className="button button--secondary participant-pnr__button"
            aria-haspopup="dialog"
            onClick={() => setAsking(true)}
          >
            {t("reveal.button")}
          </button>
        )
      )}
      {asking && (
        <ModalDialog
          title={t("reveal.title")}
          onClose={() => {
            focusNext.current = "reveal";
            setAsking(false);
          }}
        >
          <RevealForm
            participantId={participantId}
            onCancel={() => {
              focusNext.current = "reveal";
              setAsking(false);
            }}
            onRevealed={(number) => {
              setRevealed(number);
              focusNext.current = "hide";
              setAsking(false);
            }}
          />
        </ModalDialog>
      )}
    </span>
  );
}

type FormProps = { participantId: number; onCancel: () => void; onRevealed: (number: string) => void };

function RevealForm({ participantId, onCancel, onRevealed }: FormProps) {
  const { t } = useTranslation("participant");
  const { t: tc } = useTranslation();
  const [reason, setReason] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const text = reason.trim();
    if (!text) {
      setFieldError(t("reveal.reasonRequired"));
      setFailure(t("reveal.reasonRequired"));
      return;
    }
    if (text.length > 500) {
      setFieldError(t("validation.tooLong"));
      setFailure(t("validation.tooLong"));
      return;
    }
    setBusy(true);
    setFieldError(null);
    setFailure(null);
    try {
      const result = unwrap(
        await api.POST("/api/v1/participants/{participant_id}/reveal-personnummer", {
          params: { path: { participant_id: participantId } },
          body: { reason: text },
        }),
      );
      onRevealed(result.personnummer);
    } catch (error) {
      if (isApiError(error, 422)) {
        const reasonProblem = serverFields(error).reason;
        if (reasonProblem) setFieldError(reasonProblem);
      }
      setFailure(errorText(error, tc).body);
      setBusy(false);
    }
  }

  return (
    <form className="form" noValidate onSubmit={(e) => void submit(e)}>
      <p>{t("reveal.logged")}</p>
      {failure && (
        <div className="notice notice--error" role="alert">
          <p>{failure}</p>
        </div>
      )}
      <Field label={t("reveal.reason")} hint={t("reveal.reasonHint")} error={fieldError} required>
        <textarea name="reason" rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? tc("saving") : t("reveal.submit")}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {tc("cancel")}
        </button>
      </div>
    </form>
  );
}
