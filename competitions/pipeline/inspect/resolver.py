"""The files a scene names, served from inside its bundle only."""

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import trimesh


class BundleResolver(trimesh.resolvers.Resolver):
    """Serves the files a scene names from inside its bundle only, so no name can reach a file outside ``root``
    (absolute paths, ``..``, schemes and links included); a name that is not found falls back to the same file name
    in the scene's folder, as exporters often write the path of the file on the author's machine."""

    def __init__(self, parent: Path, root: Path) -> None:
        self.root = Path(root).resolve()
        self.parent = Path(parent).resolve()

    def locate(self, name: str) -> Path | None:
        clean = unquote(name.strip()).replace("\\", "/")
        if not clean or clean.startswith("data:"):
            return None
        candidates = []
        if "://" not in clean and not clean.startswith("/") and ":" not in clean.split("/")[0]:
            candidates.append(self.parent / clean)
        candidates.append(self.parent / PurePosixPath(clean).name)
        for candidate in candidates:
            target = candidate.resolve()
            if target.is_relative_to(self.root) and target.is_file():
                return target
        return None

    def get(self, name: str) -> bytes:
        target = self.locate(name)
        if target is None:
            raise FileNotFoundError(f"'{name}' is not a file inside the bundle")
        return target.read_bytes()

    def keys(self) -> Iterator[str]:
        for path in self.root.rglob("*"):
            if path.is_file():
                yield path.relative_to(self.parent).as_posix() if path.is_relative_to(self.parent) else path.name

    def namespaced(self, namespace: str) -> "BundleResolver":
        return BundleResolver(self.parent / namespace, self.root)

    def write(self, name: str, data: str | bytes) -> None:
        raise PermissionError("A bundle is read-only.")
