"""The public API of ``gis``: the planner's workflow from one import, each name from one home."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest
from conftest import REPO

import gis


@pytest.mark.parametrize("name", gis.__all__)
def test_every_public_name_comes_from_its_one_home(name):
    value = getattr(gis, name)
    home = gis._HOMES.get(name, "gis.errors")  # the public module documenting it
    assert not home.split(".")[-1].startswith("_")
    assert getattr(importlib.import_module(home), name) is value
    if inspect.isfunction(value) or inspect.isclass(value):
        assert value.__doc__, f"{name} has no docstring"
    assert name in dir(gis)


def test_all_lists_every_lazy_name():
    errors = {n for n in gis.__all__ if n.endswith("Error")}
    assert set(gis.__all__) == set(gis._HOMES) | errors
    assert len(gis.__all__) == len(set(gis.__all__))


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'gis' has no attribute 'save_layers'"):
        gis.save_layers  # noqa: B018


def test_import_gis_does_not_load_the_map_libraries():
    """``import gis`` is what the CLI and every notebook pay: no folium, matplotlib, rasterio."""
    code = (
        "import sys, gis; heavy = [m for m in ('folium', 'matplotlib', 'rasterio', "
        "'openpyxl') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert out.stdout.strip() == "[]"


def test_the_editing_workflow_from_the_top_level(tmp_path):
    """open, add, check, save, history, undo: the notebook's steps, all as ``gis.<name>``."""
    import shutil

    import geopandas as gpd
    import shapely
    from conftest import LAYERS

    store = tmp_path / "layers"
    shutil.copytree(LAYERS, store, ignore=shutil.ignore_patterns(".history", "*.lock"))
    profile = gis.load_profile("lai_chau", layers_dir=store)
    plants = gis.open_layer("hydropower_plants", province=profile)
    new = gpd.GeoDataFrame(
        {"plant_id": ["test_01"], "name": ["Thủy điện thử"], "status": ["planned"]},
        geometry=[shapely.Point(103.45, 22.40)],
        crs="EPSG:4326",
    )
    edited = gis.add_features(plants, new)
    problems = gis.check_layer(edited, "hydropower_plants", province=profile)
    assert not [p for p in problems if p.severity == "error"], gis.problems_frame(problems)
    gis.save_layer(edited, "hydropower_plants", message="one planned plant", province=profile)
    assert len(gis.read_layer("hydropower_plants", province=profile)) == len(plants) + 1
    assert gis.history("hydropower_plants", province=profile)["message"].iloc[-1] == (
        "one planned plant"
    )
    gis.undo("hydropower_plants", province=profile)
    assert len(gis.read_layer("hydropower_plants", province=profile)) == len(plants)
