/**
 * GLSL ES 3.00 sources for the scene's three programs.
 *
 * Boxes: one instanced draw of a unit cube, one instance per block (or per highlighted / lifted
 * sub-range). The front and back faces show the block's grid; each fragment finds its cell from
 * the interpolated cell coordinate and fetches that cell's value from the R32F atlas, so a block
 * costs 12 triangles whether it has 3 cells or 3 million. Every cell is coloured on a diverging
 * scale of its block's kind (palette.ts), so the sign reads at every zoom; close up a disc or ring
 * shows the magnitude as an area; below a pixel a cell becomes a flat tone (no moire). Grid lines
 * are measured in pixels with fwidth so they stay one pixel wide. The other faces are solid and
 * lit by one key light, so blocks read as slabs.
 *
 * Shadows: one instanced draw of quads on a ground plane behind the model (soft, MIN-blended).
 *
 * Arrows: one instanced draw of ribbons (shaft + optional head) that turn to face the camera and
 * never get thinner than a few pixels: the residual spine and the lighter data-flow arrows.
 */
import { FACE_TINT, HEAT_FLOOR, HEAT_GAMMA, HEAT_RANGE } from './palette.ts';

/** Floats per box instance; the attribute offsets below are in floats. */
export const BOX_STRIDE = 26;
export const BOX_ATTRIBS = [
  // [name, components, offset in floats]
  ['i_pos', 3, 0], //        top-left-front corner, world units
  ['i_size', 3, 3], //       world extents (x right, y down the screen, z into the screen)
  ['i_range', 4, 6], //      first row, first col, row count, col count of the cells this instance shows
  ['i_atlas', 4, 10], //     atlas texel of cell (0,0), has-values flag, 1 / max |value| of the block
  ['i_style', 4, 14], //     kind index, opacity, dim amount, role index (0 = none)
  ['i_reveal', 4, 18], //    revealed whole columns, rows revealed of the next column, unused, unused
  ['i_hole', 4, 22], //      rows [x, y) x cols [z, w) cut out of the block (lifted elsewhere)
] as const;

/** Floats per arrow instance: from.xyz, to.xyz (world units, block offsets included), then i_style, i_shape. */
export const SPINE_STRIDE = 12;
export const SPINE_ATTRIBS = [
  ['i_from', 3, 0],
  ['i_to', 3, 3],
  ['i_style', 4, 6], // width (world units), minimum and maximum width (pixels), strength 0..1
  ['i_shape', 2, 10], // arrowhead (1) or a headless run of a bent path (0); cell size in pixels below which it is not drawn
] as const;

/** Values at or below this are masked attention scores (stored instead of -Infinity). */
export const MASKED_VALUE = -3.0e38;

/**
 * What changes from frame to frame, the same for every program: one uniform block (std140) in one
 * buffer, written once a frame (FRAME_OFFSETS are its members' float offsets in that buffer).
 */
const FRAME_BLOCK = `layout(std140) uniform Frame {
  mat4 u_viewProj;
  vec3 u_origin;        // integer world point the matrices are relative to (precision at GPT-3 scale)
  float u_pixelAngle;   // world units per pixel at distance 1 (2 tan(fov/2) / height)
  vec3 u_eye;           // relative to u_origin
  float u_cell;         // world size of one cell
  float u_groundZ;      // world z of the ground, relative to u_origin
};`;
export const FRAME_OFFSETS = { viewProj: 0, origin: 16, pixelAngle: 19, eye: 20, cell: 23, groundZ: 24 } as const;
/** Floats in the Frame block's buffer: its 25 rounded up to a whole vec4, as std140 sizes a block. */
export const FRAME_FLOATS = 28;

export const BOX_VS = `#version 300 es
precision highp float;

in vec3 a_corner;   // unit-cube corner, each axis 0..1
in vec3 a_normal;
in vec3 i_pos;
in vec3 i_size;
in vec4 i_range;
in vec4 i_atlas;
in vec4 i_style;
in vec4 i_reveal;
in vec4 i_hole;

${FRAME_BLOCK}

out vec2 v_cell;        // (col, row) in the block's cell units
out vec3 v_normal;
flat out vec4 v_range;
flat out vec4 v_atlas;
flat out vec4 v_style;
flat out vec4 v_reveal;
flat out vec4 v_hole;

void main() {
  // Columns run along +x, rows along -y, depth along -z behind the front face.
  vec3 world = (i_pos - u_origin) + vec3(a_corner.x * i_size.x, -a_corner.y * i_size.y, -a_corner.z * i_size.z);
  v_cell = i_range.yx + a_corner.xy * i_range.wz;
  v_normal = a_normal;
  v_range = i_range;
  v_atlas = i_atlas;
  v_style = i_style;
  v_reveal = i_reveal;
  v_hole = i_hole;
  gl_Position = u_viewProj * vec4(world, 1.0);
}
`;

export const BOX_FS = `#version 300 es
precision highp float;
precision highp sampler2D;

uniform sampler2D u_values;
uniform vec3 u_kind[3];      // positive end of each kind's scale (palette KIND_HEX)
uniform vec3 u_kindNeg[3];   // negative end (palette NEGATIVE_HEX)
uniform vec3 u_role[5];
uniform vec3 u_background;   // the ground
uniform vec3 u_face;         // the near-white face cells are drawn on

in vec2 v_cell;
in vec3 v_normal;
flat in vec4 v_range;
flat in vec4 v_atlas;
flat in vec4 v_style;
flat in vec4 v_reveal;
flat in vec4 v_hole;

out vec4 outColor;

const float MASKED = ${MASKED_VALUE.toExponential()};
const float FACE_TINT = ${glslFloat(FACE_TINT)};
const float HEAT_FLOOR = ${glslFloat(HEAT_FLOOR)};
const float HEAT_RANGE = ${glslFloat(HEAT_RANGE)};
const float HEAT_GAMMA = ${glslFloat(HEAT_GAMMA)};
// Key light from the upper right and a little in front: top faces catch it, left and bottom
// faces (the ones an overview camera, placed left of and above the model, sees) fall in shade.
const vec3 LIGHT = vec3(0.42, 0.78, 0.46);

/** Heat-map colour of one cell: the sign's hue, stronger with magnitude (face colour if masked). */
vec3 heatOf(float v, vec3 face, vec3 kind, vec3 kindNeg) {
  if (v <= MASKED * 0.5) return mix(face, vec3(0.8), 0.5);
  float m = clamp(abs(v) * v_atlas.w, 0.0, 1.0);
  return mix(face, v >= 0.0 ? kind : kindNeg, HEAT_FLOOR + HEAT_RANGE * pow(m, HEAT_GAMMA));
}

bool isRevealed(vec2 cell) {
  return cell.x < v_reveal.x || (cell.x == v_reveal.x && cell.y < v_reveal.y);
}

void main() {
  int k = int(v_style.x + 0.5);
  vec3 kind = u_kind[k];
  vec3 kindNeg = u_kindNeg[k];
  int role = int(v_style.w + 0.5);
  vec3 face = mix(u_face, kind, FACE_TINT);
  vec3 color;

  vec2 p = v_cell;
  vec2 fw = max(fwidth(p), vec2(1e-7));       // cells per pixel along x and y
  float pxCells = max(fw.x, fw.y);
  float cellPx = 1.0 / pxCells;                 // pixels per cell
  vec2 lo = v_range.yx;
  vec2 hi = v_range.yx + v_range.wz;
  vec2 cell = clamp(floor(p), lo, hi - 1.0);   // (col, row)

  bool gridFace = abs(v_normal.z) > 0.5;
  if (gridFace) {
    if (cell.y >= v_hole.x && cell.y < v_hole.y && cell.x >= v_hole.z && cell.x < v_hole.w) discard;
    bool revealed = isRevealed(cell);
    if (v_atlas.z < 0.5) {
      // Render-only model: its true size and kind, no invented numbers.
      color = mix(face, kind, 0.30);
    } else if (!revealed) {
      color = mix(face, u_background, 0.5);
    } else {
      float v = texelFetch(u_values, ivec2(v_atlas.xy + cell), 0).r;
      vec2 f = p - cell - 0.5;                  // -0.5..0.5 inside the cell
      float aa = 0.75 * pxCells;                // half a pixel or so, in cell units
      vec3 detail;
      // Heat map: the sign's hue, stronger with magnitude. Readable down to a pixel a cell.
      vec3 heat = heatOf(v, face, kind, kindNeg);
      if (v <= MASKED * 0.5) {
        // Masked attention score: a thin diagonal stroke, no value.
        float stroke = 1.0 - smoothstep(0.04, 0.04 + aa * 1.5, abs(f.x + f.y) * 0.7071);
        detail = mix(face, vec3(0.62), stroke);
      } else {
        float m = clamp(abs(v) * v_atlas.w, 0.0, 1.0);
        vec3 ink = v >= 0.0 ? kind : kindNeg;
        float amount = HEAT_FLOOR + HEAT_RANGE * pow(m, HEAT_GAMMA);
        // Close up: disc area proportional to |value|; negatives are a ring of the same size,
        // both in the sign's hue over a faint wash of it, so the two looks blend into each other.
        float r = 0.46 * sqrt(m);
        float d = length(f);
        float disc = 1.0 - smoothstep(r - aa, r + aa, d);
        float ringWidth = max(0.33 * r, aa);
        float inner = smoothstep(r - ringWidth - aa, r - ringWidth + aa, d);
        float glyph = v >= 0.0 ? disc : disc * inner;
        detail = mix(mix(face, ink, 0.22 * amount), ink * 0.92, glyph);
      }
      // Level of detail by on-screen cell size: glyphs, then the signed heat map, then (below a
      // pixel and a half, where one sample a pixel would alias into noise) the mean colour of
      // four cells spread over the pixel's footprint.
      color = mix(heat, detail, smoothstep(6.0, 10.0, cellPx));
      if (cellPx < 1.6) {
        vec3 sum = vec3(0.0);
        for (int i = 0; i < 4; i++) {
          vec2 o = vec2(float(i & 1), float(i >> 1)) - 0.5;
          vec2 c = clamp(floor(p + o * 0.5 * fw), lo, hi - 1.0);
          sum += isRevealed(c) ? heatOf(texelFetch(u_values, ivec2(v_atlas.xy + c), 0).r, face, kind, kindNeg) : mix(face, u_background, 0.5);
        }
        color = mix(sum * 0.25, color, smoothstep(0.8, 1.6, cellPx));
      }
    }
    // One-pixel grid lines, faded out before they would crowd into a solid colour.
    vec2 g = abs(fract(p + 0.5) - 0.5) / fw;
    float line = (1.0 - min(min(g.x, g.y), 1.0)) * smoothstep(3.0, 8.0, cellPx);
    color = mix(color, mix(face, kind, 0.35), line * 0.8);
    // The back face is seen only through holes and from behind: keep it quiet.
    if (v_normal.z < 0.0) color = mix(color, kind * 0.6, 0.3);
  } else {
    // Side faces: a solid of the kind's colour, shaded by the key light so depth reads.
    float lambert = max(dot(v_normal, normalize(LIGHT)), 0.0);
    vec3 side = mix(u_face, kind, 0.42);
    color = side * (0.68 + 0.34 * lambert);
    if (role > 0 && role < 4) color = mix(color, u_role[role], 0.45);
  }

  // Outline of the instance's range: 1 px in the kind colour, 2.5 px in the role colour.
  vec2 edgePx = min(p - lo, hi - p) / fw;
  float edgeDist = gridFace ? min(edgePx.x, edgePx.y) : 1e6;
  float outlineWidth = role > 0 ? 2.5 : 1.0;
  float outline = 1.0 - smoothstep(outlineWidth - 0.5, outlineWidth + 0.5, edgeDist);

  if (role > 0) {
    // The role shows in the outline and on the sides; the grid face is only touched by it, so the
    // cells keep the colours that carry their sign.
    vec3 rc = u_role[role];
    color = mix(color, rc, role == 4 ? 0.15 : (gridFace ? 0.1 : 0.22));
    color = mix(color, rc, outline);
  } else {
    color = mix(color, kind * 0.75, outline * 0.7);
  }
  color = mix(color, u_background, v_style.z * 0.78);
  outColor = vec4(color, v_style.y);
}
`;

/**
 * Soft contact shadows: one quad per opaque block on a ground plane behind the model, reading the
 * box instance buffer. The shadow is the block's rectangle pushed down and left by its height
 * above the ground and blurred by a signed distance; drawn first with MIN blending, so shadows
 * that overlap do not darken twice.
 */
export const SHADOW_VS = `#version 300 es
precision highp float;

in vec2 a_quad;   // 0..1 corners of a quad
in vec3 i_pos;
in vec3 i_size;
in vec4 i_style;

${FRAME_BLOCK}

out vec2 v_local;          // from the shadow's centre, world units
flat out vec2 v_half;
flat out float v_radius;
flat out float v_alpha;

void main() {
  vec3 pos = i_pos - u_origin;
  float height = max(0.0, pos.z - 0.5 * i_size.z - u_groundZ);
  vec2 shift = vec2(-0.25, -0.5) * height;
  float radius = 0.5 + 0.3 * height;
  vec2 halfSize = 0.5 * i_size.xy;
  vec2 centre = vec2(pos.x + halfSize.x, pos.y - halfSize.y) + shift;
  vec2 local = (a_quad * 2.0 - 1.0) * (halfSize + radius);
  v_local = local;
  v_half = halfSize;
  v_radius = radius;
  // Only fully opaque blocks cast one; a dimmed block's shadow fades with it.
  v_alpha = step(0.999, i_style.y) * (1.0 - i_style.z);
  // A shadow under a pixel wide cannot be seen: collapse its quad so it costs no fragments.
  float radiusPx = radius / (u_pixelAngle * max(length(u_eye - vec3(centre, u_groundZ)), 1e-6));
  gl_Position = radiusPx < 0.5 || v_alpha <= 0.0 ? vec4(2.0, 2.0, 2.0, 1.0) : u_viewProj * vec4(centre + local, u_groundZ, 1.0);
}
`;

export const SHADOW_FS = `#version 300 es
precision highp float;

uniform vec3 u_background;
uniform vec3 u_shadow;     // the colour at full strength
uniform float u_strength;

in vec2 v_local;
flat in vec2 v_half;
flat in float v_radius;
flat in float v_alpha;

out vec4 outColor;

void main() {
  // Signed distance to the rectangle (negative inside), softened over the radius.
  vec2 q = abs(v_local) - v_half;
  float d = length(max(q, 0.0)) + min(max(q.x, q.y), 0.0);
  float a = u_strength * v_alpha * (1.0 - smoothstep(-0.5 * v_radius, v_radius, d));
  outColor = vec4(mix(u_background, u_shadow, a), 1.0);
}
`;

export const SPINE_VS = `#version 300 es
precision highp float;

in vec3 a_template;     // x: 0..1 along the part, y: -1..1 across, z: 0 shaft / 1 head
in vec3 i_from;
in vec3 i_to;
in vec4 i_style;        // width (world units), minimum and maximum width (pixels), strength 0..1
in vec2 i_shape;        // arrowhead 0/1, cell size (pixels) below which the arrow fades out

${FRAME_BLOCK}

out float v_across;
flat out float v_strength;

void main() {
  vec3 from = i_from - u_origin;
  vec3 d = i_to - i_from;
  float len = max(length(d), 1e-6);
  vec3 dir = d / len;
  float distance = length(u_eye - from);
  // The world width, kept between a visible and an unobtrusive number of pixels.
  float px = u_pixelAngle * distance;
  float width = clamp(i_style.x, i_style.y * px, i_style.z * px);
  bool hasHead = i_shape.x > 0.5;
  float head = hasHead ? min(width * 3.0, 0.45 * len) : 0.0;
  // Headless runs overshoot both ends by half a width, so elbows of a path close without a notch.
  float over = hasHead ? 0.0 : 0.5 * width;
  // Flow arrows join stages a few cells apart: once cells are far under a pixel they would only
  // hatch the picture (and cost thousands of thin triangles in a far view of GPT-3), so they
  // fade out and then collapse to nothing.
  float cellPx = u_cell / (u_pixelAngle * max(length(u_eye - (from + 0.5 * d)), 1e-6));
  float visible = i_shape.y > 0.0 ? smoothstep(0.5 * i_shape.y, i_shape.y, cellPx) : 1.0;
  if (visible <= 0.0) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // outside the clip volume: no fragments
    return;
  }
  bool isHead = a_template.z > 0.5;
  float along = isHead ? (len - head) + a_template.x * head : -over + a_template.x * (len - head + 2.0 * over);
  float halfWidth = isHead ? (hasHead ? 1.6 * width * (1.0 - a_template.x) : 0.0) : 0.5 * width;
  vec3 base = from + dir * along;
  vec3 toEye = normalize(u_eye - base);
  vec3 side = cross(dir, toEye);
  side = length(side) < 1e-4 ? vec3(1.0, 0.0, 0.0) : normalize(side);
  // Wider arrows sit a little nearer the eye, so the spine stays on top where a flow joins it.
  base += toEye * (0.5 * width);
  v_across = a_template.y * (isHead ? 0.0 : 1.0);
  v_strength = i_style.w * visible;
  gl_Position = u_viewProj * vec4(base + side * a_template.y * halfWidth, 1.0);
}
`;

export const SPINE_FS = `#version 300 es
precision highp float;
uniform vec3 u_color;
uniform vec3 u_background;
in float v_across;
flat in float v_strength;
out vec4 outColor;
void main() {
  // Opaque, pre-mixed with the ground: crossings and elbows never darken twice. A little darker
  // toward the edges, so a wide arrow reads as a rounded pipe.
  vec3 c = u_color * (1.0 - 0.18 * v_across * v_across);
  outColor = vec4(mix(u_background, c, v_strength), 1.0);
}
`;

/** A number as a GLSL float literal. */
function glslFloat(x: number): string {
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}
