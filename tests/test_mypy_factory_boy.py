"""scripts/mypy_factory_boy.py: mypy types a call on a factory as the object the factory makes (without the plugin,
mypy 1.19 types ``SceneFactory()`` as a ``SceneFactory``)."""

from pathlib import Path

from mypy import api

PLUGIN = Path(__file__).resolve().parent.parent / "scripts" / "mypy_factory_boy.py"

FACTORIES = """
import factory

class Scene:
    title = "scene"

class SceneFactory(factory.Factory[Scene]):
    class Meta:
        model = Scene

class NamedSceneFactory(SceneFactory):
    pass

class UntypedFactory(factory.Factory):
    class Meta:
        model = Scene

reveal_type(SceneFactory(title="a"))
reveal_type(NamedSceneFactory())
reveal_type(UntypedFactory())
"""


def revealed_types(tmp_path: Path) -> list[str]:
    (tmp_path / "mypy.ini").write_text(f"[mypy]\nplugins = {PLUGIN}\n", encoding="utf-8")
    (tmp_path / "scenes.py").write_text(FACTORIES, encoding="utf-8")
    config, cache = str(tmp_path / "mypy.ini"), str(tmp_path / "cache")
    out, _, _ = api.run(["--config-file", config, "--cache-dir", cache, str(tmp_path / "scenes.py")])
    return [line.split("Revealed type is ")[1] for line in out.splitlines() if "Revealed type is" in line]


def test_a_factory_call_is_typed_as_its_model_and_an_untyped_factory_keeps_its_own_type(tmp_path):
    assert revealed_types(tmp_path) == ['"scenes.Scene"', '"scenes.Scene"', '"scenes.UntypedFactory"']
