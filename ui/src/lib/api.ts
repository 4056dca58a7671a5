// Thin helpers over the generated bindings: commands return `Result<T, AppError>`; the UI
// prefers exceptions it can catch in one place and turn into banners.
import type { AppError } from './bindings';
import { hasMessage, t } from '../i18n';

export type Result<T, E> = { status: 'ok'; data: T } | { status: 'error'; error: E };

export class CommandError extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

/** Unwraps a command's result, throwing a [`CommandError`] on the error side. */
export async function call<T>(pending: Promise<Result<T, AppError>>): Promise<T> {
  const result = await pending;
  if (result.status === 'error') throw new CommandError(result.error);
  return result.data;
}

/** Any thrown value as an `AppError` (IPC failures arrive as strings or `Error`s). */
export function asAppError(e: unknown): AppError {
  if (e instanceof CommandError) return e.error;
  if (e && typeof e === 'object' && 'kind' in e && 'message' in e) return e as AppError;
  return { kind: 'unavailable', message: e instanceof Error ? e.message : String(e) };
}

/** A short title for an error in the studio's language; the backend's text stays as detail. */
export function titleFor(error: AppError): string {
  // An account step's reason (when the shell sends one) says more than the kind.
  const reason = 'reason' in error && typeof error.reason === 'string' ? error.reason : null;
  if (reason && hasMessage(`errors.authReason.${reason}`)) return t(`errors.authReason.${reason}`);
  return t(`errors.title.${error.kind}`);
}

/** What the user can do about an error, shown under its message. */
export function fixFor(error: AppError): string {
  switch (error.kind) {
    case 'validation':
      return error.field ? t('errors.fix.validationField', { values: { field: error.field } }) : t('errors.fix.validation');
    case 'broadcast':
      // The engine's own advice names the exact element or setting: it wins when present.
      return error.fix ?? t('errors.fix.broadcast');
    default:
      return t(`errors.fix.${error.kind}`);
  }
}
