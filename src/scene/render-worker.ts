/**
 * The render worker: draws the scene on the canvas its page handed over (render-host.ts), so the
 * page's frames spend no time building instance lists or calling WebGL.
 *
 * It first tells the page whether it can draw at all: WebGL2 on an OffscreenCanvas (some browsers
 * have the one without the other). When it cannot, the page imports this same file as a module,
 * which then leaves the host under MAIN_THREAD_HOST, and runs it on its own thread, drawing on the
 * <canvas> itself (a worker's bundle keeps no exports).
 */
import { renderHost } from './render-host.ts';
import { MAIN_THREAD_HOST, type HostMessage, type PageMessage } from './render-protocol.ts';

declare const WorkerGlobalScope: unknown;

if (typeof WorkerGlobalScope !== 'undefined') {
  const scope = self as unknown as { postMessage(m: HostMessage | WorkerHello): void; onmessage: ((e: MessageEvent<PageMessage>) => void) | null };
  const handle = renderHost((m) => scope.postMessage(m));
  scope.onmessage = (e) => handle(e.data);
  scope.postMessage({ type: 'hello', webgl2: canDrawOffscreen() });
} else {
  (globalThis as Record<string, unknown>)[MAIN_THREAD_HOST] = renderHost;
}

/** The worker's first message. */
export interface WorkerHello {
  type: 'hello';
  webgl2: boolean;
}

/** Whether WebGL2 works on an OffscreenCanvas here (the probe's context is given back at once). */
function canDrawOffscreen(): boolean {
  if (typeof OffscreenCanvas === 'undefined') return false;
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return false;
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return true;
}
