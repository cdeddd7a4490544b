/**
 * Main-thread ms of recent frames, oldest first, each under the renderer's draw number of its
 * frame (RenderClient.lastDraw), so that work done for a frame later (the writing of the labels
 * and arrows the render worker placed for it) is added to that frame. The newest `limit` are kept.
 */
export class FrameTimes {
  readonly ms: number[] = [];
  private readonly draws: number[] = [];
  private readonly limit: number;

  constructor(limit = 2000) {
    this.limit = limit;
  }

  push(ms: number, draw: number): void {
    this.ms.push(ms);
    this.draws.push(draw);
    if (this.ms.length > this.limit) {
      this.ms.splice(0, this.ms.length - this.limit);
      this.draws.splice(0, this.draws.length - this.limit);
    }
  }

  /** Adds `ms` to the frame of draw number `draw`, if it is still kept. */
  add(draw: number, ms: number): void {
    const i = this.draws.lastIndexOf(draw);
    if (i >= 0) this.ms[i]! += ms;
  }
}
