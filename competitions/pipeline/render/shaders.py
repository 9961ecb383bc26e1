"""The GLSL programs: the scene, lit by a key, a fill and a rim light fixed to the camera over a sky/ground ambient,
in sRGB; and the background's vertical gradient."""

VERTEX_SHADER = """
#version 330
uniform mat4 u_modelview;
uniform mat4 u_projection;
uniform mat3 u_normal_matrix;
in vec3 in_position;
in vec3 in_normal;
in vec2 in_uv;
in vec2 in_uv_emissive;
in vec4 in_colour;
out vec3 v_position;
out vec3 v_normal;
out vec2 v_uv;
out vec2 v_uv_emissive;
out vec4 v_colour;
void main() {
    vec4 position = u_modelview * vec4(in_position, 1.0);
    v_position = position.xyz;
    v_normal = u_normal_matrix * in_normal;
    v_uv = in_uv;
    v_uv_emissive = in_uv_emissive;
    v_colour = in_colour;
    gl_Position = u_projection * position;
}
"""

FRAGMENT_SHADER = """
#version 330
uniform vec4 u_base_colour;
uniform bool u_use_texture;
uniform sampler2D u_texture;
uniform ivec2 u_wrap;
uniform bool u_use_emissive_texture;
uniform sampler2D u_emissive_texture;
uniform ivec2 u_emissive_wrap;
uniform vec3 u_emissive;
uniform bool u_use_colour;
uniform bool u_use_normal;
uniform bool u_lit;
uniform int u_alpha_mode;  // 0 opaque, 1 mask, 2 blend
uniform float u_alpha_cutoff;
uniform float u_specular;
uniform float u_shininess;
in vec3 v_position;
in vec3 v_normal;
in vec2 v_uv;
in vec2 v_uv_emissive;
in vec4 v_colour;
out vec4 f_colour;

// The sampler's wrap modes, done here so mirrored repeat works and mipmaps see the unwrapped derivatives.
float wrap(float t, int mode) {
    if (mode == 1) return clamp(t, 0.0, 1.0);
    if (mode == 2) { float m = mod(t, 2.0); return m > 1.0 ? 2.0 - m : m; }
    return fract(t);
}
vec4 sample_wrapped(sampler2D image, vec2 uv, ivec2 modes) {
    vec2 wrapped = vec2(wrap(uv.x, modes.x), wrap(uv.y, modes.y));
    return textureGrad(image, wrapped, dFdx(uv), dFdy(uv));
}

void main() {
    vec4 albedo = u_base_colour;
    if (u_use_texture) albedo *= sample_wrapped(u_texture, v_uv, u_wrap);
    if (u_use_colour) albedo *= v_colour;
    if (u_alpha_mode == 1 && albedo.a < u_alpha_cutoff) discard;
    float alpha = u_alpha_mode == 2 ? albedo.a : 1.0;
    vec3 emissive = u_emissive;
    if (u_use_emissive_texture) emissive *= sample_wrapped(u_emissive_texture, v_uv_emissive, u_emissive_wrap).rgb;

    vec3 colour = albedo.rgb;
    if (u_lit) {
        vec3 view = normalize(-v_position);
        vec3 normal = u_use_normal ? v_normal : cross(dFdx(v_position), dFdy(v_position));
        normal = length(normal) > 0.0 ? normalize(normal) : view;
        if (u_use_normal ? !gl_FrontFacing : dot(normal, view) < 0.0) normal = -normal;
        // Studio lights fixed to the camera: key from the upper left, fill from the right, rim from behind.
        vec3 key = normalize(vec3(-0.6, 0.7, 0.38));
        vec3 fill = normalize(vec3(0.75, 0.1, 0.45));
        vec3 rim = normalize(vec3(0.3, 0.6, -0.75));
        float sky = 0.5 + 0.5 * normal.y;
        vec3 ambient = mix(vec3(0.15, 0.145, 0.14), vec3(0.30, 0.31, 0.34), sky);
        float key_light = max(dot(normal, key), 0.0);
        float fill_light = 0.5 * dot(normal, fill) + 0.5;
        float rim_light = max(dot(normal, rim), 0.0);
        vec3 light = ambient + vec3(1.0, 0.98, 0.95) * 0.78 * key_light
            + vec3(0.85, 0.9, 1.0) * 0.22 * fill_light * fill_light + 0.25 * rim_light;
        float highlight = pow(max(dot(normal, normalize(key + view)), 0.0), u_shininess);
        colour = albedo.rgb * light + u_specular * key_light * highlight;
    }
    colour += emissive;
    // Soft shoulder instead of clipping, then sRGB.
    colour = colour / (1.0 + 0.12 * colour);
    f_colour = vec4(pow(clamp(colour, 0.0, 1.0), vec3(1.0 / 2.2)), alpha);
}
"""

BACKGROUND_VERTEX = """
#version 330
in vec2 in_position;
out float v_height;
void main() { v_height = in_position.y * 0.5 + 0.5; gl_Position = vec4(in_position, 0.999, 1.0); }
"""

BACKGROUND_FRAGMENT = """
#version 330
uniform vec3 u_top;
uniform vec3 u_bottom;
in float v_height;
out vec4 f_colour;
void main() { f_colour = vec4(mix(u_bottom, u_top, v_height), 0.0); }
"""
