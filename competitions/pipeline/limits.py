"""The budgets an asset is checked against. A competition's asset rules become one ``Limits``; the defaults are
what ``check_asset`` uses without a competition."""

from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # Set by the competition's asset rules.
    max_upload_bytes: int = 500 * MB
    max_triangles: int = 2_000_000
    max_texture_size: int = 4096
    max_materials: int = 256
    max_draw_calls: int = 1024
    # glTF extensions a scene may use; None means any extension the Khronos validator knows.
    allowed_extensions: tuple[str, ...] | None = None
    # "strict": every validator error rejects. "lenient": only errors that make a file unloadable or unsafe do.
    policy: str = "strict"

    # Safety budgets, the same for every competition: checked before anything large is read or allocated.
    max_json_bytes: int = 64 * MB
    max_data_uri_bytes: int = 32 * MB
    max_accessor_bytes: int = 1024 * MB
    max_texture_pixels: int = 64 * 1024 * 1024
    max_zip_entries: int = 2000
    max_zip_uncompressed_bytes: int = 2048 * MB
    max_zip_ratio: int = 100
    # Child-process limits for the heavy stages.
    memory_limit_bytes: int = 2048 * MB
    cpu_seconds: int = 300
    formats: tuple[str, ...] = field(default=("glb", "gltf", "obj", "stl", "ply"))
