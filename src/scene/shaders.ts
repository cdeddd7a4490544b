/**
 * GLSL ES 3.00 sources for the scene's two programs.
 *
 * Boxes: one instanced draw of a unit cube, one instance per block (or per highlighted / lifted
 * sub-range). The front and back faces show the block's grid; each fragment finds its cell from
 * the interpolated cell coordinate and fetches that cell's value from the R32F atlas, so a block
 * costs 12 triangles whether it has 3 cells or 3 million. Cells become a smooth tone once they
 * are smaller than a couple of pixels (no moire), and grid lines are measured in pixels with
 * fwidth so they stay one pixel wide at any zoom.
 *
 * Spine: one instanced draw of arrow ribbons (shaft + head) that turn to face the camera and
 * never get thinner than a few pixels, so the residual stream stays visible from afar.
 */

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

/** Floats per spine instance: from.xyz, to.xyz. */
export const SPINE_STRIDE = 6;

/** Values at or below this are masked attention scores (stored instead of -Infinity). */
export const MASKED_VALUE = -3.0e38;

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

uniform mat4 u_viewProj;
uniform vec3 u_origin;   // integer world point the matrices are relative to (precision at GPT-3 scale)

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
uniform vec3 u_kind[3];
uniform vec3 u_role[5];
uniform vec3 u_background;

in vec2 v_cell;
in vec3 v_normal;
flat in vec4 v_range;
flat in vec4 v_atlas;
flat in vec4 v_style;
flat in vec4 v_reveal;
flat in vec4 v_hole;

out vec4 outColor;

const float MASKED = ${MASKED_VALUE.toExponential()};

void main() {
  vec3 kind = u_kind[int(v_style.x + 0.5)];
  int role = int(v_style.w + 0.5);
  vec3 bg = mix(u_background, kind, 0.10);
  vec3 ink = kind * 0.82;
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
    bool revealed = cell.x < v_reveal.x || (cell.x == v_reveal.x && cell.y < v_reveal.y);
    if (v_atlas.z < 0.5) {
      // Render-only model: its true size and kind, no invented numbers.
      color = mix(bg, kind, 0.30);
    } else if (!revealed) {
      color = mix(u_background, kind, 0.03);
    } else {
      float v = texelFetch(u_values, ivec2(v_atlas.xy + cell), 0).r;
      vec2 f = p - cell - 0.5;                  // -0.5..0.5 inside the cell
      float aa = 0.75 * pxCells;                // half a pixel or so, in cell units
      vec3 detail;
      vec3 heat;
      if (v <= MASKED * 0.5) {
        // Masked attention score: a thin diagonal stroke, no value.
        float stroke = 1.0 - smoothstep(0.04, 0.04 + aa * 1.5, abs(f.x + f.y) * 0.7071);
        detail = mix(bg, vec3(0.62), stroke);
        heat = bg;
      } else {
        float m = clamp(abs(v) * v_atlas.w, 0.0, 1.0);
        // Disc area is proportional to |value|; negatives are a hollow ring of the same size.
        float r = 0.46 * sqrt(m);
        float d = length(f);
        float disc = 1.0 - smoothstep(r - aa, r + aa, d);
        float ringWidth = max(0.33 * r, aa);
        float inner = smoothstep(r - ringWidth - aa, r - ringWidth + aa, d);
        float glyph = v >= 0.0 ? disc : disc * inner;
        detail = mix(bg, ink, glyph);
        heat = mix(bg, ink, 0.12 + 0.7 * m);
      }
      vec3 tone = mix(bg, ink, 0.28);
      // Level of detail by on-screen cell size: glyphs, then a magnitude heat map, then a flat tone.
      color = mix(heat, detail, smoothstep(3.0, 7.0, cellPx));
      color = mix(tone, color, smoothstep(1.0, 2.2, cellPx));
    }
    // One-pixel grid lines, faded out before they would crowd into a solid colour.
    vec2 g = abs(fract(p + 0.5) - 0.5) / fw;
    float line = (1.0 - min(min(g.x, g.y), 1.0)) * smoothstep(3.0, 8.0, cellPx);
    color = mix(color, mix(bg, kind, 0.5), line * 0.85);
  } else {
    // Side faces: the kind colour, lit a little by a fixed light so depth reads.
    float light = 0.72 + 0.28 * abs(dot(v_normal, normalize(vec3(0.4, 0.8, 0.3))));
    color = mix(u_background, kind, 0.55) * light;
    if (role > 0 && role < 4) color = mix(color, u_role[role], 0.45);
  }

  // Outline of the instance's range: 1 px in the kind colour, 2.5 px in the role colour.
  vec2 edgePx = min(p - lo, hi - p) / fw;
  float edgeDist = gridFace ? min(edgePx.x, edgePx.y) : 1e6;
  float outlineWidth = role > 0 ? 2.5 : 1.0;
  float outline = 1.0 - smoothstep(outlineWidth - 0.5, outlineWidth + 0.5, edgeDist);

  if (role > 0) {
    vec3 rc = u_role[role];
    color = mix(color, rc, role == 4 ? 0.15 : 0.30);
    color = mix(color, rc, outline);
  } else {
    color = mix(color, kind * 0.7, outline * 0.8);
  }
  color = mix(color, u_background, v_style.z * 0.78);
  outColor = vec4(color, v_style.y);
}
`;

export const SPINE_VS = `#version 300 es
precision highp float;

in vec3 a_template;     // x: 0..1 along the part, y: -1..1 across, z: 0 shaft / 1 head
in vec3 i_from;
in vec3 i_to;

uniform mat4 u_viewProj;
uniform vec3 u_origin;
uniform vec3 u_eye;           // relative to u_origin
uniform float u_width;        // world units
uniform float u_minPixels;    // the ribbon is never thinner than this on screen
uniform float u_pixelAngle;   // world units per pixel at distance 1 (2 tan(fov/2) / height)

void main() {
  vec3 from = i_from - u_origin;
  vec3 d = i_to - i_from;
  float len = max(length(d), 1e-6);
  vec3 dir = d / len;
  float distance = length(u_eye - from);
  float width = max(u_width, u_minPixels * u_pixelAngle * distance);
  float head = min(width * 2.2, 0.45 * len);
  bool isHead = a_template.z > 0.5;
  float along = isHead ? (len - head) + a_template.x * head : a_template.x * (len - head);
  float halfWidth = (isHead ? 1.5 : 0.5) * width * (isHead ? 1.0 - a_template.x : 1.0);
  vec3 base = from + dir * along;
  vec3 side = cross(dir, normalize(u_eye - base));
  side = length(side) < 1e-4 ? vec3(1.0, 0.0, 0.0) : normalize(side);
  gl_Position = u_viewProj * vec4(base + side * a_template.y * halfWidth, 1.0);
}
`;

export const SPINE_FS = `#version 300 es
precision highp float;
uniform vec4 u_color;
out vec4 outColor;
void main() {
  outColor = u_color;
}
`;
