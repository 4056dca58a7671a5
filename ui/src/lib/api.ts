// Thin helpers over the generated bindings: commands return `Result<T, AppError>`; the UI
// prefers exceptions it can catch in one place and turn into banners.
import type { AppError } from './bindings';

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

/** What the user can do about an error, shown under its message. */
export function fixFor(error: AppError): string {
  switch (error.kind) {
    case 'noBackend':
      return 'Pick "Try it locally" or another way to go live.';
    case 'notSignedIn':
      return 'Sign in again.';
    case 'auth':
      return 'Check the e-mail and password and try again.';
    case 'validation':
      return error.field ? `Correct the ${error.field} and try again.` : 'Correct the input and try again.';
    case 'network':
      return 'Check your connection; the studio retries when you try again.';
    case 'backend':
      return 'Try again in a moment; if it keeps failing, the backend has a problem.';
    case 'broadcast':
      return error.fix ?? 'Check your sources and the ingest, then go live again.';
    case 'chat':
      return 'Reopen the chat; messages you typed are kept.';
    case 'credentials':
      return 'Unlock your system keyring (or start one) and try again.';
    case 'storage':
      return 'Check that your config and data folders are writable.';
    case 'unavailable':
      return 'This part is not available here yet.';
  }
}
