// Keeps the shell's native preview window (X11) over the preview box: reports the box's
// place in physical pixels whenever it may have moved or changed size, and `null` when it
// goes away. The shell paints the picture there itself; the canvas under it only gets a
// still a second (see src-tauri/src/native_preview).
import type { PreviewRect } from './bindings';

export function followBox(box: HTMLElement, place: (rect: PreviewRect | null) => void): () => void {
  let last = '';
  let queued = 0;
  const measure = () => {
    queued = 0;
    const r = box.getBoundingClientRect();
    const scale = window.devicePixelRatio || 1;
    const rect = {
      x: Math.round(r.left * scale),
      y: Math.round(r.top * scale),
      width: Math.round(r.width * scale),
      height: Math.round(r.height * scale),
    };
    const key = `${rect.x},${rect.y},${rect.width},${rect.height}`;
    if (key === last) return;
    last = key;
    place(rect.width > 0 && rect.height > 0 ? rect : null);
  };
  // At most once a frame, however many events arrive.
  const schedule = () => {
    if (!queued) queued = requestAnimationFrame(measure);
  };
  // The box resizes with the window; it moves when anything around it changes size.
  const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(schedule);
  observer?.observe(box);
  observer?.observe(document.body);
  window.addEventListener('resize', schedule);
  window.addEventListener('scroll', schedule, { capture: true, passive: true });
  measure();
  return () => {
    observer?.disconnect();
    window.removeEventListener('resize', schedule);
    window.removeEventListener('scroll', schedule, { capture: true });
    if (queued) cancelAnimationFrame(queued);
    place(null);
  };
}
