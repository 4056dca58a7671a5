// Draws preview frames (raw JPEG bytes from the shell) on a canvas. createImageBitmap
// decodes without a data: URL or an <img> resource (which WebKit would keep in its memory
// cache, one per frame); while one frame is being decoded only the newest that arrives is
// kept, so a slow window skips frames instead of queueing them.

export class FrameDrawer {
  private busy = false;
  private next: Blob | null = null;
  /** Frames drawn so far, also in the canvas' `data-frames` (end-to-end checks, benchmark). */
  drawn = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  show(jpeg: Blob) {
    this.next = jpeg;
    if (!this.busy) void this.drain();
  }

  private async drain() {
    this.busy = true;
    try {
      while (this.next) {
        const frame = this.next;
        this.next = null;
        await this.draw(frame);
      }
    } finally {
      this.busy = false;
    }
  }

  private async draw(jpeg: Blob) {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(jpeg);
    } catch {
      return; // A frame that does not decode is skipped; the next one replaces it.
    }
    const { canvas } = this;
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    bitmap.close();
    this.drawn += 1;
    canvas.dataset.frames = String(this.drawn);
  }
}
