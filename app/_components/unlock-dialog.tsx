"use client";

import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useTranslations } from "next-intl";
import { KeystoreError, type KeyFile, type ProgressListener } from "../_lib/keystore";
import { keystoreErrorText } from "../_lib/keystore-text";
import { useFormatters } from "../_lib/use-formatters";
import { Button, inputClass } from "./ui";

interface UnlockDialogProps {
  keyFile: KeyFile;
  /** Completes "Enter the passphrase of your signing key …", e.g. "to accept claim c_…". */
  reason?: string | undefined;
  idleMinutes: number;
  /** Decrypts the key; rejects with a KeystoreError (wrong passphrase) to keep the dialog open. */
  onUnlock: (passphrase: string, onProgress: ProgressListener) => Promise<void>;
  onCancel: () => void;
}

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/**
 * Asks for the passphrase of the browser's signing key. A modal <dialog>: the page behind it
 * is inert, Tab and Shift+Tab cycle inside it, Esc cancels, and focus returns to where it
 * was when it closes. Rendered (and opened) by SigningProvider while a page waits in
 * useSigner().requireIdentity().
 */
export function UnlockDialog({ keyFile, reason, idleMinutes, onUnlock, onCancel }: UnlockDialogProps) {
  const t = useTranslations("unlock");
  const tAll = useTranslations();
  const format = useFormatters();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const errorId = useId();
  const [passphrase, setPassphrase] = useState("");
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    inputRef.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, []);

  const busy = progress !== null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy || passphrase.length === 0) return;
    setError(null);
    setProgress(0);
    try {
      await onUnlock(passphrase, (fraction) => setProgress(fraction));
    } catch (failure) {
      setProgress(null);
      setError(failure instanceof KeystoreError ? keystoreErrorText(tAll, failure) : t("failed"));
      setPassphrase("");
      // Focus returns to the field once React has re-enabled it.
      setTimeout(() => inputRef.current?.focus(), 0);
    }
  }

  function trapFocus(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== "Tab") return;
    const items = Array.from(dialogRef.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? []);
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  const percent = Math.round((progress ?? 0) * 100);
  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      aria-modal="true"
      data-testid="unlock-dialog"
      onKeyDown={trapFocus}
      onCancel={(event) => {
        // Esc: the provider decides (it rejects the waiting requireIdentity and unmounts us).
        event.preventDefault();
        onCancel();
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/40 backdrop:backdrop-blur-[1px]"
    >
      <form onSubmit={(event) => void submit(event)} className="space-y-4 p-6">
        <div>
          <h2 id={titleId} className="text-base font-semibold text-slate-900">
            {t("title")}
          </h2>
          <p id={descriptionId} className="mt-1 text-sm text-slate-600">
            {t("body", { reason: reason ?? "none", minutes: idleMinutes })}
          </p>
        </div>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-lg bg-slate-50 px-4 py-3 text-xs">
          <dt className="text-slate-500">{t("key")}</dt>
          <dd className="truncate font-mono text-slate-800">{keyFile.keyId}</dd>
          {keyFile.label ? (
            <>
              <dt className="text-slate-500">{t("label")}</dt>
              <dd className="truncate text-slate-800">{keyFile.label}</dd>
            </>
          ) : null}
          <dt className="text-slate-500">{t("created")}</dt>
          <dd className="text-slate-800">{format.day(keyFile.createdAtMs)}</dd>
        </dl>
        <div>
          <label htmlFor={`${titleId}-passphrase`} className="block text-sm font-medium text-slate-700">
            {t("passphrase")}
          </label>
          <input
            ref={inputRef}
            id={`${titleId}-passphrase`}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={passphrase}
            onChange={(event) => setPassphrase(event.target.value)}
            disabled={busy}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            className={`${inputClass} mt-1`}
          />
          <p id={errorId} role="alert" className="mt-1 min-h-4 text-xs text-rose-600">
            {error ?? ""}
          </p>
        </div>
        {busy ? <ScryptProgress percent={percent} label={t("deriving")} /> : null}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={onCancel}>
            {t("cancel")}
          </Button>
          <Button type="submit" disabled={busy || passphrase.length === 0}>
            {busy ? t("unlocking") : t("unlock")}
          </Button>
        </div>
      </form>
    </dialog>
  );
}

/** The progress of a scrypt derivation (unlocking or encrypting a key). */
export function ScryptProgress({ percent, label }: { percent: number; label: string }) {
  return (
    <div>
      <div className="flex justify-between text-xs text-slate-600">
        <span>{label}</span>
        <span className="tabular-nums">{percent}%</span>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="mt-1 h-2 overflow-hidden rounded-full bg-slate-100"
      >
        <div className="h-full rounded-full bg-brand-600 transition-[width] duration-150" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
