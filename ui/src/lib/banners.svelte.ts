// Error banners: every failed action lands here with what to do about it.
import type { AppError } from './bindings';
import { asAppError, fixFor, titleFor } from './api';

export interface Banner {
  id: number;
  /** What went wrong, in the studio's language. */
  title: string;
  /** The backend's or engine's own text (not translated: it names the exact cause). */
  message: string;
  fix: string;
}

let nextId = 1;

class Banners {
  list = $state<Banner[]>([]);

  report(e: unknown): AppError {
    const error = asAppError(e);
    const banner = { id: nextId++, title: titleFor(error), message: error.message, fix: fixFor(error) };
    // The same failure twice shows once (e.g. a button clicked again).
    this.list = [...this.list.filter((b) => b.message !== banner.message), banner];
    return error;
  }

  dismiss(id: number) {
    this.list = this.list.filter((b) => b.id !== id);
  }

  clear() {
    this.list = [];
  }
}

export const banners = new Banners();
