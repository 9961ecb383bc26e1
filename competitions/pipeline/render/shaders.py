"""The GLSL programs: the scene lit by the studio environment (``environment``) as the browser's viewer lights it,
three.js's MeshStandardMaterial under image-based lighting, tone-mapped with Khronos PBR Neutral, in sRGB; and the
background's vertical gradient."""

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
uniform float u_roughness;
uniform float u_metallic;
uniform mat3 u_view_to_world;  // the camera's rotation: view-space directions to world space
uniform vec3 u_irradiance[9];  // environment.irradiance_coefficients(): diffuse light, spherical harmonics
uniform float u_exposure;
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

// The light a white Lambertian surface facing the world direction n sends back under the studio environment.
vec3 diffuse_light(vec3 n) {
    vec3 light = u_irradiance[0] * 0.282095
        + u_irradiance[1] * 0.488603 * n.y + u_irradiance[2] * 0.488603 * n.z + u_irradiance[3] * 0.488603 * n.x
        + u_irradiance[4] * 1.092548 * n.x * n.y + u_irradiance[5] * 1.092548 * n.y * n.z
        + u_irradiance[6] * 0.315392 * (3.0 * n.z * n.z - 1.0) + u_irradiance[7] * 1.092548 * n.x * n.z
        + u_irradiance[8] * 0.546274 * (n.x * n.x - n.y * n.y);
    return max(light, vec3(0.0));
}

// three.js's image-based lighting of MeshStandardMaterial (its DFGApprox and multiple scattering), with the
// environment's reflection taken from the same blurred light as the diffuse part: right for rough surfaces.
vec3 studio_lit(vec3 albedo, vec3 normal, vec3 view) {
    float roughness = clamp(u_roughness, 0.0525, 1.0);
    float dot_nv = clamp(dot(normal, view), 0.0, 1.0);
    vec3 diffuse_colour = albedo * (1.0 - u_metallic);
    vec3 specular_colour = mix(vec3(0.04), albedo, u_metallic);
    vec4 r = roughness * vec4(-1.0, -0.0275, -0.572, 0.022) + vec4(1.0, 0.0425, 1.04, -0.04);
    float a004 = min(r.x * r.x, exp2(-9.28 * dot_nv)) * r.x + r.y;
    vec2 fab = vec2(-1.04, 1.04) * a004 + r.zw;
    vec3 single = specular_colour * fab.x + fab.y;
    float e_ms = 1.0 - (fab.x + fab.y);
    vec3 f_avg = specular_colour + (1.0 - specular_colour) * 0.047619;
    vec3 multi = single * f_avg / (1.0 - e_ms * f_avg) * e_ms;
    vec3 total = single + multi;
    vec3 world_normal = normalize(u_view_to_world * normal);
    vec3 world_view = normalize(u_view_to_world * view);
    vec3 reflected = normalize(mix(reflect(-world_view, world_normal), world_normal, roughness * roughness));
    vec3 irradiance = diffuse_light(world_normal);
    return diffuse_colour * (1.0 - max(max(total.r, total.g), total.b)) * irradiance
        + single * diffuse_light(reflected) + multi * irradiance;
}

// Khronos PBR Neutral, as three.js applies it.
vec3 neutral_tone_mapping(vec3 colour) {
    colour *= u_exposure;
    float x = min(colour.r, min(colour.g, colour.b));
    float offset = x < 0.08 ? x - 6.25 * x * x : 0.04;
    colour -= offset;
    float peak = max(colour.r, max(colour.g, colour.b));
    if (peak < 0.76) return colour;
    float d = 0.24;
    float new_peak = 1.0 - d * d / (peak + d - 0.76);
    colour *= new_peak / peak;
    float g = 1.0 - 1.0 / (0.15 * (peak - new_peak) + 1.0);
    return mix(colour, vec3(new_peak), g);
}

vec3 srgb(vec3 linear) {
    linear = clamp(linear, 0.0, 1.0);
    return mix(linear * 12.92, 1.055 * pow(linear, vec3(1.0 / 2.4)) - 0.055, step(vec3(0.0031308), linear));
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
        colour = studio_lit(albedo.rgb, normal, view);
    }
    f_colour = vec4(srgb(neutral_tone_mapping(colour + emissive)), alpha);
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
