"""docs/layers.svg, the README's picture of the layers, is drawn from the contracts CI enforces and kept current."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import draw_layers  # noqa: E402


def test_the_committed_picture_is_what_the_contracts_draw(capsys):
    assert draw_layers.main(["--check"]) == 0, capsys.readouterr().out


def test_every_layer_of_the_contract_is_in_the_picture_top_first():
    contracts = draw_layers.contracts()
    bands = draw_layers.layers(contracts)
    picture = draw_layers.svg(bands, draw_layers.forbidden(contracts))

    positions = [picture.index(f">{band[0]}<") for band in bands]
    assert positions == sorted(positions)
    assert "competitions.pipeline never imports: django" in picture


def test_a_picture_that_differs_from_the_contracts_is_reported(tmp_path, capsys):
    stale = tmp_path / "layers.svg"
    stale.write_text("<svg/>", encoding="utf-8")

    assert draw_layers.main(["--check", "--output", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().out
