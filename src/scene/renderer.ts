/**
 * The WebGL2 renderer: draws a ModelLayout under a SceneState on one canvas, a page's <canvas> or
 * the OffscreenCanvas the render worker was handed (render-host.ts; pages talk to it through
 * render-client.ts).
 *
 *   const r = new SceneRenderer(canvas);           // throws WebGLUnavailableError without WebGL2
 *   r.setValues(layout, trace, params);            // uploads numbers (weights once, trace per run)
 *   r.resize(pixelWidth, pixelHeight);             // the drawing buffer's size
 *   r.draw(layout, state, matrices);               // one frame, through camera.ts's matrices
 *
 * Everything GPU-side (three programs, nine buffers, one of them the frame's
 * uniform block, five vertex arrays, one texture) is created once per context, with the GL state
 * every frame starts from; a frame writes its uniform block, refreshes instance data only when
 * the non-camera part of the state changed, and issues at most five instanced draws (opaque
 * blocks, highlight overlays, arrows, shadows, translucent blocks). After a context loss,
 * the renderer recreates all of it from the CPU copies (restore()) and tells `options.restored`.
 */
import type { Trace } from '../gpt/trace.ts';
import type { CameraMatrices } from './camera.ts';
import { ArrowBuilder, FLOW_LOOK, InstanceBuilder, SLAB_CELLS, SPINE_LOOK, type InstanceLists, type ValueLookup } from './instances.ts';
import { BACKGROUND_HEX, FACE_HEX, KIND_HEX, NEGATIVE_HEX, ROLE_HEX, SPINE_HEX, hexToRgb } from './palette.ts';
import { BOX_ATTRIBS, BOX_FS, BOX_STRIDE, FRAME_FLOATS, FRAME_OFFSETS, BOX_VS, SHADOW_FS, SHADOW_VS, SPINE_ATTRIBS, SPINE_FS, SPINE_STRIDE, SPINE_VS } from './shaders.ts';
import { ValueAtlas } from './textures.ts';
import type { ModelLayout, SceneState, SpineSegment, Vec3 } from './types.ts';

export class WebGLUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGLUnavailableError';
  }
}

/** GPU objects this renderer's context currently holds (created minus deleted), for leak checks. */
export interface ResourceCounts {
  textures: number;
  buffers: number;
  programs: number;
  vertexArrays: number;
}

type Pass = 'opaque' | 'overlay' | 'translucent';
const PASSES: Pass[] = ['opaque', 'overlay', 'translucent'];

interface GpuState {
  box: WebGLProgram;
  spine: WebGLProgram;
  shadow: WebGLProgram;
  boxBuffers: Record<Pass, { buffer: WebGLBuffer; vao: WebGLVertexArrayObject; capacity: number }>;
  /** Shadow quads read the opaque pass's instance buffer through their own vertex array. */
  shadowVao: WebGLVertexArrayObject;
  spineBuffer: { buffer: WebGLBuffer; vao: WebGLVertexArrayObject; capacity: number };
  /** Per-vertex template buffers (cube, arrow, quad), deleted with the rest. */
  templates: WebGLBuffer[];
  /** The Frame uniform block's buffer. */
  frameBuffer: WebGLBuffer;
  atlas: ValueAtlas;
}

/** The part of a frame's camera matrices (camera.ts) the renderer draws with. */
export type FrameMatrices = Pick<CameraMatrices, 'view' | 'viewProjection' | 'origin' | 'eye' | 'pixelAngle'>;

/** What a renderer is told with and tells its owner. */
export interface RendererOptions {
  /** A layout's data-flow arrows (flows.ts), drawn with its spine; none when left out. */
  flows?: (layout: ModelLayout) => SpineSegment[];
  /** The context was lost: nothing is drawn until it comes back. */
  lost?: () => void;
  /** The context came back and every GPU object was recreated: draw again. */
  restored?: () => void;
}

/** How dark a shadow is at its core, from the ground toward SPINE_HEX. */
const SHADOW_STRENGTH = 0.24;

export class SceneRenderer {
  readonly canvas: HTMLCanvasElement | OffscreenCanvas;
  private gl: WebGL2RenderingContext;
  private gpu: GpuState;
  private readonly counts: ResourceCounts = { textures: 0, buffers: 0, programs: 0, vertexArrays: 0 };
  private readonly builder = new InstanceBuilder();
  private readonly arrows = new ArrowBuilder();
  private instanceKey: unknown[] = [];
  private instanceCounts: Record<Pass, number> = { opaque: 0, overlay: 0, translucent: 0 };
  private arrowGroups: { layout: ModelLayout; groups: { segments: ModelLayout['spine']; look: typeof SPINE_LOOK }[] } | null = null;
  private spineCount = 0;
  /**
   * What each instance buffer holds (a CPU copy and its length in floats): a rebuild that comes out
   * the same (a director's new but equal objects) uploads nothing.
   */
  private readonly uploaded = new Map<object, { data: Float32Array; length: number }>();
  private values: { layout: ModelLayout; trace: Trace | null; params: Float32Array | null } | null = null;
  private readonly flows: (layout: ModelLayout) => SpineSegment[];
  private readonly uniforms = {
    kind: [...hexToRgb(KIND_HEX.weight), ...hexToRgb(KIND_HEX.activation), ...hexToRgb(KIND_HEX.aggregate)],
    kindNeg: [...hexToRgb(NEGATIVE_HEX.weight), ...hexToRgb(NEGATIVE_HEX.activation), ...hexToRgb(NEGATIVE_HEX.aggregate)],
    role: [0, 0, 0, ...hexToRgb(ROLE_HEX.focus), ...hexToRgb(ROLE_HEX.source), ...hexToRgb(ROLE_HEX.result), ...hexToRgb(ROLE_HEX.muted)],
    background: hexToRgb(BACKGROUND_HEX),
    face: hexToRgb(FACE_HEX),
    spine: hexToRgb(SPINE_HEX),
  };
  /** The Frame uniform block's contents (shaders.ts FRAME_BLOCK), written into its buffer once a frame. */
  private readonly frameData = new Float32Array(FRAME_FLOATS);
  /** The atlas's values for the builders, when the atlas holds `lookupLayout`'s (one object for every build). */
  private lookupLayout: ModelLayout | null = null;
  private readonly lookup: ValueLookup = ((r: SceneRenderer): ValueLookup => ({
    slot: (id) => (r.gpu.atlas.layout === r.lookupLayout ? r.gpu.atlas.slot(id) : undefined),
    hasValues: (b) => r.gpu.atlas.layout === r.lookupLayout && r.gpu.atlas.hasValues(b),
    // The answers change with what the atlas holds (it counts each change; a restored context
    // brings a new atlas, counted apart), and with the layout asked about (the builder keys on that).
    get version() {
      return r.atlases * 2 ** 24 + r.gpu.atlas.version;
    },
  }))(this);
  /** Atlases made so far (one per context): keeps lookup versions apart across a context restore. */
  private atlases = 0;
  /** GL state as last set by this renderer (setConstantState and the setters after it). */
  private readonly glState = { width: -1, height: -1, cull: false, offset: false, depthWrite: true, program: null as WebGLProgram | null, texture: null as WebGLTexture | null };
  private loseContext: WEBGL_lose_context | null = null;
  /** Draw calls issued since the renderer was made (for the benchmarks). */
  drawCalls = 0;
  /** What the last frame drawn was drawn with (sameAsDrawn). */
  private readonly drawn = { layout: null as ModelLayout | null, width: 0, height: 0, pixelAngle: 0, viewProjection: new Float32Array(16), origin: [0, 0, 0] as Vec3, eye: [0, 0, 0] as Vec3 };
  /** Colours and strengths: set once per program when it is built (and again after a context loss). */
  private readonly constantUniforms: Record<string, number | number[]> = {
    u_kind: this.uniforms.kind,
    u_kindNeg: this.uniforms.kindNeg,
    u_role: this.uniforms.role,
    u_background: this.uniforms.background,
    u_face: this.uniforms.face,
    u_color: this.uniforms.spine,
    u_shadow: this.uniforms.spine,
    u_strength: SHADOW_STRENGTH,
  };

  constructor(canvas: HTMLCanvasElement | OffscreenCanvas, options: RendererOptions = {}) {
    this.canvas = canvas;
    this.flows = options.flows ?? (() => []);
    const gl = canvas.getContext('webgl2', { alpha: false, antialias: true, depth: true, preserveDrawingBuffer: false }) as WebGL2RenderingContext | null;
    if (!gl) throw new WebGLUnavailableError('WebGL2 is not available in this browser, so the 3D view cannot be drawn.');
    this.gl = gl;
    this.trackResources(gl);
    this.gpu = this.createGpuState();
    this.setConstantUniforms();
    this.setConstantState();
    // Without preventDefault the browser would never give the context back.
    canvas.addEventListener('webglcontextlost', (e) => {
      e.preventDefault();
      options.lost?.();
    });
    canvas.addEventListener('webglcontextrestored', () => {
      this.restore();
      options.restored?.();
    });
  }

  /** Sets the drawing buffer's size in device pixels (nothing happens when it already is). */
  resize(width: number, height: number): void {
    const w = Math.max(1, Math.round(width));
    const h = Math.max(1, Math.round(height));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
  }

  /** Live GPU object counts (a copy). */
  resources(): ResourceCounts {
    return { ...this.counts };
  }

  get context(): WebGL2RenderingContext {
    return this.gl;
  }

  isContextLost(): boolean {
    return this.gl.isContextLost();
  }

  /** The values the next frames show: weights (params) and one trace, for `layout`. */
  setValues(layout: ModelLayout, trace: Trace | null, params: Float32Array | null): void {
    this.values = { layout, trace, params };
    if (!this.gl.isContextLost()) this.gpu.atlas.set(layout, trace, params);
  }

  /**
   * Loses the context (true) or gives it back (false) through WEBGL_lose_context, as a driver
   * reset would: for the tests of recovery.
   */
  simulateContextLoss(lose: boolean): void {
    this.loseContext ??= this.gl.getExtension('WEBGL_lose_context');
    if (lose) this.loseContext?.loseContext();
    else this.loseContext?.restoreContext();
  }

  /** Recreates every GPU object after `webglcontextrestored` and re-uploads the values. */
  private restore(): void {
    const gl = this.canvas.getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) throw new WebGLUnavailableError('the WebGL2 context could not be restored');
    this.gl = gl;
    this.drawn.layout = null;
    Object.assign(this.counts, { textures: 0, buffers: 0, programs: 0, vertexArrays: 0 });
    this.trackResources(gl);
    this.gpu = this.createGpuState();
    this.setConstantUniforms();
    this.setConstantState();
    this.instanceKey = [];
    this.uploaded.clear();
    if (this.values) this.gpu.atlas.set(this.values.layout, this.values.trace, this.values.params);
  }

  /**
   * Draws one frame of `layout` under `state` into the canvas's current drawing buffer, seen
   * through `matrices` (camera.ts cameraMatrices of state.camera, computed by the page, which
   * needs them for picking too); nothing in `layout` or `state` is modified.
   */
  draw(layout: ModelLayout, state: Omit<SceneState, 'camera'>, matrices: FrameMatrices): void {
    const gl = this.gl;
    if (gl.isContextLost()) return;
    const rebuilt = this.updateInstances(layout, state);
    // The canvas keeps showing the last frame until something is drawn: when nothing the GPU
    // draws has changed (only a callout's text or an arrow, say), skip the GL work altogether.
    // (sameAsDrawn also remembers this frame's camera: asked on every frame that draws.)
    const sameCamera = this.sameAsDrawn(matrices, layout, gl.drawingBufferWidth, gl.drawingBufferHeight);
    if (!rebuilt && sameCamera) return;

    const gs = this.glState;
    if (gs.width !== gl.drawingBufferWidth || gs.height !== gl.drawingBufferHeight) {
      gs.width = gl.drawingBufferWidth;
      gs.height = gl.drawingBufferHeight;
      gl.viewport(0, 0, gs.width, gs.height);
    }
    // The depth buffer is cleared only where depth writes are on (the last pass turned them off).
    this.setDepthWrite(true);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    const { shadow, shadowVao, spine, spineBuffer } = this.gpu;
    const f = this.frameData;
    f.set(matrices.viewProjection, FRAME_OFFSETS.viewProj);
    f.set(matrices.origin, FRAME_OFFSETS.origin);
    f.set(matrices.eye, FRAME_OFFSETS.eye);
    f[FRAME_OFFSETS.pixelAngle] = matrices.pixelAngle;
    f[FRAME_OFFSETS.cell] = layout.cell;
    f[FRAME_OFFSETS.groundZ] = layout.bounds.min[2] - SLAB_CELLS * layout.cell - matrices.origin[2];
    // The generic UNIFORM_BUFFER binding is the Frame buffer from createGpuState on: nothing else binds one.
    gl.bufferSubData(gl.UNIFORM_BUFFER, 0, f);
    // The atlas binds its texture to unit 0 (the only unit, the samplers' default) whenever it
    // uploads; after a context restore, its new texture is bound here.
    if (gs.texture !== this.gpu.atlas.texture) {
      gs.texture = this.gpu.atlas.texture;
      gl.bindTexture(gl.TEXTURE_2D, gs.texture);
    }

    this.drawBoxes('opaque');
    this.drawBoxes('overlay');
    this.setCull(false);
    this.setPolygonOffset(false);
    this.setDepthWrite(true);
    if (this.spineCount > 0) {
      // Opaque (pre-mixed with the ground), so before the translucent blocks, with depth.
      this.useProgram(spine);
      gl.bindVertexArray(spineBuffer.vao);
      gl.drawArraysInstanced(gl.TRIANGLES, 0, 9, this.spineCount);
      this.drawCalls++;
    }
    if (this.instanceCounts.opaque > 0) {
      // Shadows on the ground behind everything, drawn after what stands in front of it so the
      // depth test skips every covered pixel; overlapping shadows take the darker, not the sum.
      this.setDepthWrite(false);
      gl.blendEquation(gl.MIN);
      this.useProgram(shadow);
      gl.bindVertexArray(shadowVao);
      gl.drawArraysInstanced(gl.TRIANGLES, 0, 6, this.instanceCounts.opaque);
      this.drawCalls++;
      gl.blendEquation(gl.FUNC_ADD);
    }
    this.drawBoxes('translucent');
    // The last pass's vertex array stays bound: nothing else this context does reads or changes it.
  }

  /** One pass of boxes (the frame's uniforms already in their buffer). */
  private drawBoxes(pass: Pass): void {
    const count = this.instanceCounts[pass];
    if (count === 0) return;
    const gl = this.gl;
    const { box, boxBuffers } = this.gpu;
    this.setCull(true);
    this.useProgram(box);
    this.setPolygonOffset(pass === 'overlay');
    this.setDepthWrite(pass !== 'translucent');
    const { vao } = boxBuffers[pass];
    gl.bindVertexArray(vao);
    gl.drawArraysInstanced(gl.TRIANGLES, 0, 36, count);
    this.drawCalls++;
  }

  /**
   * The GL state every frame starts from, set once per context: the passes change only culling,
   * the polygon offset and depth writes, through the setters below, which skip calls that would
   * set what is already set.
   */
  private setConstantState(): void {
    const gl = this.gl;
    const bg = this.uniforms.background;
    gl.clearColor(bg[0], bg[1], bg[2], 1);
    gl.enable(gl.DEPTH_TEST);
    gl.depthFunc(gl.LEQUAL);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
    gl.polygonOffset(-1, -4);
    // GL's defaults, which the setters start from.
    Object.assign(this.glState, { width: -1, height: -1, cull: false, offset: false, depthWrite: true, program: null, texture: null });
  }

  private setCull(on: boolean): void {
    if (this.glState.cull === on) return;
    this.glState.cull = on;
    if (on) this.gl.enable(this.gl.CULL_FACE);
    else this.gl.disable(this.gl.CULL_FACE);
  }

  private setPolygonOffset(on: boolean): void {
    if (this.glState.offset === on) return;
    this.glState.offset = on;
    if (on) this.gl.enable(this.gl.POLYGON_OFFSET_FILL);
    else this.gl.disable(this.gl.POLYGON_OFFSET_FILL);
  }

  private setDepthWrite(on: boolean): void {
    if (this.glState.depthWrite === on) return;
    this.glState.depthWrite = on;
    this.gl.depthMask(on);
  }

  private useProgram(program: WebGLProgram): void {
    if (this.glState.program === program) return;
    this.glState.program = program;
    this.gl.useProgram(program);
  }

  private setConstantUniforms(): void {
    const gl = this.gl;
    if (gl.isContextLost()) return;
    for (const program of [this.gpu.box, this.gpu.spine, this.gpu.shadow]) {
      gl.useProgram(program);
      for (const [name, value] of Object.entries(this.constantUniforms)) {
        const at = gl.getUniformLocation(program, name);
        if (!at) continue;
        if (typeof value === 'number') gl.uniform1f(at, value);
        else gl.uniform3fv(at, value);
      }
    }
    gl.useProgram(null);
  }

  dispose(): void {
    const gl = this.gl;
    if (gl.isContextLost()) return;
    for (const pass of PASSES) {
      gl.deleteBuffer(this.gpu.boxBuffers[pass].buffer);
      gl.deleteVertexArray(this.gpu.boxBuffers[pass].vao);
    }
    gl.deleteBuffer(this.gpu.spineBuffer.buffer);
    gl.deleteBuffer(this.gpu.frameBuffer);
    gl.deleteVertexArray(this.gpu.spineBuffer.vao);
    gl.deleteVertexArray(this.gpu.shadowVao);
    for (const b of this.gpu.templates) gl.deleteBuffer(b);
    gl.deleteProgram(this.gpu.box);
    gl.deleteProgram(this.gpu.spine);
    gl.deleteProgram(this.gpu.shadow);
    this.gpu.atlas.dispose();
  }

  /**
   * Whether the last frame drawn used these matrices, this layout and this drawing-buffer size
   * (instances unchanged is the caller's part); remembers them for the next call when not.
   */
  private sameAsDrawn(m: FrameMatrices, layout: ModelLayout, width: number, height: number): boolean {
    const d = this.drawn;
    let same = d.layout === layout && d.width === width && d.height === height && d.pixelAngle === m.pixelAngle;
    for (let i = 0; same && i < 16; i++) same = d.viewProjection[i] === m.viewProjection[i];
    for (let i = 0; same && i < 3; i++) same = d.origin[i] === m.origin[i] && d.eye[i] === m.eye[i];
    if (same) return true;
    d.layout = layout;
    d.width = width;
    d.height = height;
    d.pixelAngle = m.pixelAngle;
    d.viewProjection.set(m.viewProjection);
    for (let i = 0; i < 3; i++) {
      d.origin[i] = m.origin[i]!;
      d.eye[i] = m.eye[i]!;
    }
    return false;
  }

  /** Rebuilds box instances only when something other than the camera changed; true when it did. */
  private updateInstances(layout: ModelLayout, state: Omit<SceneState, 'camera'>): boolean {
    const atlas = this.gpu.atlas;
    const k = this.instanceKey;
    if (k.length > 0 && k[0] === layout && k[1] === state.blocks && k[2] === state.highlights && k[3] === state.dim && k[4] === atlas.version && k[5] === atlas.layout) return false;
    this.instanceKey = [layout, state.blocks, state.highlights, state.dim, atlas.version, atlas.layout];
    const { lists, arrows } = this.buildInstances(layout, state);
    for (const pass of PASSES) {
      this.upload(this.gpu.boxBuffers[pass], lists[pass]);
      this.instanceCounts[pass] = lists.counts[pass];
    }
    this.upload(this.gpu.spineBuffer, arrows.data);
    this.spineCount = arrows.count;
    return true;
  }

  /** Box and arrow instances for `state` (views into the builders' lists, valid until their next build). */
  private buildInstances(layout: ModelLayout, state: Omit<SceneState, 'camera'>): { lists: InstanceLists; arrows: { data: Float32Array; count: number } } {
    this.lookupLayout = layout;
    const lists = this.builder.build(layout, state, this.lookup);
    if (this.arrowGroups?.layout !== layout) {
      this.arrowGroups = { layout, groups: [{ segments: layout.spine, look: SPINE_LOOK }, { segments: this.flows(layout), look: FLOW_LOOK }] };
    }
    return { lists, arrows: this.arrows.build(layout, this.arrowGroups.groups, state) };
  }

  /**
   * A frame's script work without its GL calls: the instance lists, built and dropped. Nothing
   * drawn, uploaded or remembered: the next draw() is the same as without it. For SceneView.rehearse().
   */
  rehearse(layout: ModelLayout, state: Omit<SceneState, 'camera'>): void {
    this.buildInstances(layout, state);
  }

  /**
   * Instance data into an existing buffer: only the span that differs from what it holds (a
   * highlight moving over one block changes that block's floats), in place when it fits, else
   * re-specified (same object).
   */
  private upload(target: { buffer: WebGLBuffer; capacity: number }, data: Float32Array): void {
    const last = this.uploaded.get(target);
    let span = last ? changedSpan(last.data, last.length, data) : [0, data.length];
    if (!span) return;
    if (!last || last.data.length < data.length) this.uploaded.set(target, { data: new Float32Array(Math.max(data.length, 2 * (last?.data.length ?? 0))), length: 0 });
    const copy = this.uploaded.get(target)!;
    copy.data.set(data.subarray(span[0], span[1]), span[0]);
    copy.length = data.length;
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, target.buffer);
    if (data.byteLength > target.capacity) {
      target.capacity = Math.max(data.byteLength, target.capacity * 2);
      gl.bufferData(gl.ARRAY_BUFFER, target.capacity, gl.DYNAMIC_DRAW);
      span = [0, data.length];
    }
    if (span[1] > span[0]) gl.bufferSubData(gl.ARRAY_BUFFER, span[0] * 4, data, span[0], span[1] - span[0]);
    // Left bound: vertex arrays keep the buffers they were set up with, whatever is bound now.
  }

  private createGpuState(): GpuState {
    const gl = this.gl;
    const box = buildProgram(gl, BOX_VS, BOX_FS, 'box');
    const spine = buildProgram(gl, SPINE_VS, SPINE_FS, 'spine');
    const shadow = buildProgram(gl, SHADOW_VS, SHADOW_FS, 'shadow');
    const vao = (program: WebGLProgram, attribs: Record<string, Attrib>) => vertexArray(gl, program, attribs);
    const cube = templateAttribs(gl, unitCube());
    const boxBuffer = (): GpuState['boxBuffers'][Pass] => {
      const capacity = 64 * BOX_STRIDE * 4;
      const buffer = this.emptyBuffer(capacity);
      return { buffer, capacity, vao: vao(box, { ...cube, ...instanceAttribs(gl, buffer, BOX_ATTRIBS, BOX_STRIDE) }) };
    };
    const template = templateAttribs(gl, { a_template: { numComponents: 3, data: spineTemplate() } });
    const spineCapacity = 128 * SPINE_STRIDE * 4;
    const spineBuffer = this.emptyBuffer(spineCapacity);
    const boxBuffers = { opaque: boxBuffer(), overlay: boxBuffer(), translucent: boxBuffer() };
    const quad = templateAttribs(gl, { a_quad: { numComponents: 2, data: [0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1] } });
    const shadowAttribs = instanceAttribs(gl, boxBuffers.opaque.buffer, BOX_ATTRIBS.filter(([name]) => name === 'i_pos' || name === 'i_size' || name === 'i_style'), BOX_STRIDE);
    const shadowVao = vao(shadow, { ...quad, ...shadowAttribs });
    const templates = [cube, template, quad].flatMap((attribs) => Object.values(attribs).map((a) => a.buffer!));
    // The Frame uniform block: one buffer on binding point 0 for all three programs.
    const frameBuffer = this.emptyBuffer(FRAME_FLOATS * 4, gl.UNIFORM_BUFFER);
    gl.bindBufferBase(gl.UNIFORM_BUFFER, 0, frameBuffer);
    for (const program of [box, spine, shadow]) gl.uniformBlockBinding(program, gl.getUniformBlockIndex(program, 'Frame'), 0);
    return {
      box,
      spine,
      shadow,
      boxBuffers,
      shadowVao,
      spineBuffer: { buffer: spineBuffer, capacity: spineCapacity, vao: vao(spine, { ...template, ...instanceAttribs(gl, spineBuffer, SPINE_ATTRIBS, SPINE_STRIDE) }) },
      templates,
      frameBuffer,
      atlas: this.newAtlas(gl),
    };
  }

  private newAtlas(gl: WebGL2RenderingContext): ValueAtlas {
    this.atlases++;
    return new ValueAtlas(gl);
  }

  private emptyBuffer(bytes: number, target: GLenum = this.gl.ARRAY_BUFFER): WebGLBuffer {
    const gl = this.gl;
    const buffer = gl.createBuffer();
    gl.bindBuffer(target, buffer);
    gl.bufferData(target, bytes, gl.DYNAMIC_DRAW);
    gl.bindBuffer(target, null);
    return buffer;
  }

  /** Counts GPU objects by wrapping this context's create/delete calls. */
  private trackResources(gl: WebGL2RenderingContext): void {
    const wrap = <K extends 'createTexture' | 'createBuffer' | 'createProgram' | 'createVertexArray'>(
      create: K,
      del: 'deleteTexture' | 'deleteBuffer' | 'deleteProgram' | 'deleteVertexArray',
      field: keyof ResourceCounts,
    ) => {
      const proto = Object.getPrototypeOf(gl) as WebGL2RenderingContext;
      const createFn = proto[create] as (this: WebGL2RenderingContext) => unknown;
      const deleteFn = proto[del] as (this: WebGL2RenderingContext, o: unknown) => void;
      const counts = this.counts;
      Object.defineProperty(gl, create, {
        configurable: true,
        value: function (this: WebGL2RenderingContext) {
          counts[field]++;
          return createFn.call(this);
        },
      });
      Object.defineProperty(gl, del, {
        configurable: true,
        value: function (this: WebGL2RenderingContext, o: unknown) {
          if (o) counts[field]--;
          deleteFn.call(this, o);
        },
      });
    };
    wrap('createTexture', 'deleteTexture', 'textures');
    wrap('createBuffer', 'deleteBuffer', 'buffers');
    wrap('createProgram', 'deleteProgram', 'programs');
    wrap('createVertexArray', 'deleteVertexArray', 'vertexArrays');
  }
}

/**
 * The span of floats where `b` differs from the first `length` of `a`, as [first, end); null when
 * they are the same; the whole of `b` when the lengths differ.
 */
// Bit for bit: NaN never occurs in instance data.
export function changedSpan(a: Float32Array, length: number, b: Float32Array): [number, number] | null {
  if (length !== b.length) return [0, b.length];
  let lo = 0;
  while (lo < length && a[lo] === b[lo]) lo++;
  if (lo === length) return null;
  let hi = length;
  while (hi > lo + 1 && a[hi - 1] === b[hi - 1]) hi--;
  return [lo, hi];
}

/** Per-vertex template attributes (floats, tightly packed), each in a buffer of its own. */
function templateAttribs(gl: WebGL2RenderingContext, arrays: Record<string, { numComponents: number; data: number[] }>): Record<string, Attrib> {
  const attribs: Record<string, Attrib> = {};
  for (const [name, a] of Object.entries(arrays)) {
    const buffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(a.data), gl.STATIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
    attribs[name] = { buffer, numComponents: a.numComponents };
  }
  return attribs;
}

/** Attribute specs for instance data interleaved in `buffer` (stride and offsets in floats). */
function instanceAttribs(
  gl: WebGL2RenderingContext,
  buffer: WebGLBuffer,
  layout: readonly (readonly [string, number, number])[],
  stride: number,
): Record<string, Attrib> {
  const out: Record<string, Attrib> = {};
  for (const [name, numComponents, offset] of layout) out[name] = { buffer, numComponents, stride: stride * 4, offset: offset * 4, divisor: 1 };
  return out;
}

/**
 * One float attribute a vertex array reads from `buffer`: numComponents floats at byte `offset`
 * of every `stride` bytes (tightly packed by default), once per instance with divisor 1.
 */
interface Attrib {
  buffer: WebGLBuffer;
  numComponents: number;
  stride?: number;
  offset?: number;
  divisor?: number;
}

/** Compiles and links one program; throws with the compiler's words when it fails (not when the context is lost). */
function buildProgram(gl: WebGL2RenderingContext, vertex: string, fragment: string, what: string): WebGLProgram {
  const program = gl.createProgram();
  const shaders = ([[gl.VERTEX_SHADER, vertex], [gl.FRAGMENT_SHADER, fragment]] as const).map(([type, source]) => {
    const shader = gl.createShader(type)!;
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    gl.attachShader(program, shader);
    return shader;
  });
  gl.linkProgram(program);
  const failed = !gl.getProgramParameter(program, gl.LINK_STATUS) && !gl.isContextLost();
  const log = failed ? [gl.getProgramInfoLog(program), ...shaders.map((sh) => gl.getShaderInfoLog(sh))].filter(Boolean).join(' ') : '';
  // The program keeps what it linked; the shader objects are not needed again.
  for (const shader of shaders) gl.deleteShader(shader);
  if (failed) throw new Error(`the ${what} shader program failed to build: ${log}`);
  return program;
}

/** A vertex array for `program` reading `attribs` by name (one the program does not use is skipped); left unbound. */
function vertexArray(gl: WebGL2RenderingContext, program: WebGLProgram, attribs: Record<string, Attrib>): WebGLVertexArrayObject {
  const vao = gl.createVertexArray();
  gl.bindVertexArray(vao);
  for (const [name, a] of Object.entries(attribs)) {
    const at = gl.getAttribLocation(program, name);
    if (at < 0) continue;
    gl.bindBuffer(gl.ARRAY_BUFFER, a.buffer);
    gl.enableVertexAttribArray(at);
    gl.vertexAttribPointer(at, a.numComponents, gl.FLOAT, false, a.stride ?? 0, a.offset ?? 0);
    gl.vertexAttribDivisor(at, a.divisor ?? 0);
  }
  gl.bindVertexArray(null);
  gl.bindBuffer(gl.ARRAY_BUFFER, null);
  return vao;
}

/**
 * A unit box as 36 vertices (no index buffer): a_corner in 0..1 per axis (x right, y down the
 * grid, z into the screen) and the face's world normal. Triangles wind counter-clockwise seen
 * from outside, so back-face culling halves the fragments.
 */
function unitCube(): { a_corner: { numComponents: number; data: number[] }; a_normal: { numComponents: number; data: number[] } } {
  const corner: number[] = [];
  const normal: number[] = [];
  // World normal, and two tangents u, v with u x v = normal.
  const faces: [number[], number[], number[]][] = [
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[0, 0, -1], [-1, 0, 0], [0, 1, 0]],
    [[1, 0, 0], [0, 0, -1], [0, 1, 0]],
    [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [1, 0, 0], [0, 0, -1]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
  ];
  for (const [n, u, v] of faces) {
    const at = (su: number, sv: number) => {
      // World point in the box spanning x 0..1, y -1..0, z -1..0, centred at (0.5, -0.5, -0.5).
      const w = [0, 1, 2].map((k) => [0.5, -0.5, -0.5][k]! + n[k]! * 0.5 + u[k]! * su * 0.5 + v[k]! * sv * 0.5);
      corner.push(w[0]!, -w[1]!, -w[2]!);
      normal.push(...n);
    };
    for (const [su, sv] of [[-1, -1], [1, -1], [1, 1], [-1, -1], [1, 1], [-1, 1]]) at(su!, sv!);
  }
  return { a_corner: { numComponents: 3, data: corner }, a_normal: { numComponents: 3, data: normal } };
}

/** Arrow template: a shaft quad then a head triangle; x along, y across, z 0 shaft / 1 head. */
function spineTemplate(): number[] {
  return [0, -1, 0, 1, -1, 0, 1, 1, 0, 0, -1, 0, 1, 1, 0, 0, 1, 0, 0, -1, 1, 1, 0, 1, 0, 1, 1];
}
