// A form's pending state and error: one submit at a time, its failure shown as text.

export class FormAction {
  busy = $state(false);
  error = $state<string | null>(null);

  /** Runs `work`, keeping the form disabled meanwhile; a thrown error becomes `error`. */
  async run(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await work();
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.busy = false;
    }
  }
}
