// Keeps the shell's native preview window (X11) over the preview box: reports the box's
// place in physical pixels whenever it may have moved or changed size, and `null` when it
// goes away. The shell paints the picture there itself; the canvas under it only gets a
// still now and then (see src-tauri/src/native_preview). A native window cannot be clipped
// by the page: while part of the box is scrolled out of sight it is hidden (`null`) and the
// canvas, which the page does clip, shows every frame meanwhile.
import type { PreviewRect } from './bindings';

/** Whether all of `box` can be seen: inside the window and every scrolling ancestor. */
function wholeInSight(box: HTMLElement, r: DOMRect): boolean {
  const inside = (o: { left: number; top: number; right: number; bottom: number }) =>
    r.left >= o.left - 0.5 && r.top >= o.top - 0.5 && r.right <= o.right + 0.5 && r.bottom <= o.bottom + 0.5;
  if (!inside({ left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight })) return false;
  for (let el = box.parentElement; el && el !== document.body; el = el.parentElement) {
    const { overflowX, overflowY } = getComputedStyle(el);
    if ([overflowX, overflowY].every((o) => o === 'visible')) continue;
    if (!inside(el.getBoundingClientRect())) return false;
  }
  return true;
}

export function followBox(box: HTMLElement, place: (rect: PreviewRect | null) => void): () => void {
  let last = '';
  let queued = 0;
  const measure = () => {
    queued = 0;
    const r = box.getBoundingClientRect();
    const seen = wholeInSight(box, r);
    const scale = window.devicePixelRatio || 1;
    const rect = {
      x: Math.round(r.left * scale),
      y: Math.round(r.top * scale),
      width: Math.round(r.width * scale),
      height: Math.round(r.height * scale),
    };
    const key = seen ? `${rect.x},${rect.y},${rect.width},${rect.height}` : 'hidden';
    if (key === last) return;
    last = key;
    place(seen && rect.width > 0 && rect.height > 0 ? rect : null);
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
  // The pixel ratio changes (the window moved to a screen with another scale) without a
  // resize in CSS pixels: the box keeps its CSS size but not its size in pixels.
  let ratio: MediaQueryList | null = null;
  const watchRatio = () => {
    ratio?.removeEventListener('change', onRatio);
    ratio = typeof matchMedia === 'function' ? matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`) : null;
    ratio?.addEventListener('change', onRatio);
  };
  const onRatio = () => {
    watchRatio();
    schedule();
  };
  watchRatio();
  measure();
  return () => {
    ratio?.removeEventListener('change', onRatio);
    observer?.disconnect();
    window.removeEventListener('resize', schedule);
    window.removeEventListener('scroll', schedule, { capture: true });
    if (queued) cancelAnimationFrame(queued);
    place(null);
  };
}
