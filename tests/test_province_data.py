"""A province is data: nothing in ``gis/`` names a province, and each province builds alone.

The code may name a province in documentation (docstrings and comments, as examples); every
string the code uses at run time (messages, labels, titles, column names) comes from the profile
and the layers. The names looked for are those of every profile under ``layers/``: the
province's name, ASCII name and slug, the names of its pre-2025 districts and its plan decision
number (``[plan] document``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gis import settings
from gis.census import short_name
from gis.errors import ProfileError
from gis.profile import Plan, list_profiles, load_profile
from gis.store import read_layer

GIS = Path(__file__).resolve().parent.parent / "gis"


def _province_words() -> dict[str, str]:
    """Word -> what it is, for every profile in the repository's layers."""
    words: dict[str, str] = {}
    for slug in list_profiles(layers_dir=settings.REPO_ROOT / "layers"):
        profile = load_profile(slug, layers_dir=settings.REPO_ROOT / "layers")
        for value in (profile.name, profile.extra.get("name_ascii"), profile.slug):
            if value:
                words[value] = f"province {profile.name}"
        number = re.search(r"\d{3,4}/QĐ-TTg", profile.plan.document or "")
        if number:
            words[number.group(0).split("/")[0]] = f"plan decision of {profile.name}"
        districts = read_layer(profile.layer("districts"), province=profile)
        for name in districts["name"]:
            words.setdefault(short_name(str(name)), f"district of {profile.name}")
        plan, default = profile.plan, Plan()
        for key in ("orientation_vi", "axis_vi", "regions_vi", "pillars_vi", "credit_vi"):
            if getattr(plan, key) and getattr(plan, key) != getattr(default, key):
                words[getattr(plan, key)] = f"[plan] {key} of {profile.name}"
        for region in plan.regions.values():
            words[region.name_vi] = f"region of {profile.name}"
    return words


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string constant of a module that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_gis_names_no_province_outside_documentation():
    words = _province_words()
    assert {"Lai Châu", "Cao Bằng", "1585", "Mường Tè", "Hai vùng"} <= set(words)  # can fail
    pattern = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, words)) + r")(?![\w])")
    found = [
        f"{path.relative_to(GIS.parent)}:{line}: {match.group(1)!r} ({words[match.group(1)]}) "
        f"in {text[:70]!r}"
        for path in sorted(GIS.rglob("*.py"))
        for line, text in _code_strings(path)
        for match in pattern.finditer(text)
    ]
    assert not found, "province content in gis/ code (move it to the profile):\n" + "\n".join(found)


def test_the_check_finds_a_literal(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        '"""Docstring naming Lai Châu is fine."""\n'
        "# a comment naming Lai Châu is fine\n"
        'TITLE = f"Bản đồ tỉnh Lai Châu {1}"\n',
        encoding="utf-8",
    )
    texts = [t for _, t in _code_strings(module)]
    assert any("Lai Châu" in t for t in texts)
    assert not any("Docstring" in t for t in texts)


def test_profile_plan_settings_refuse_unknown_names(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    base = 'slug = "x"\ncode = "99"\nname = "X"\nplanning_crs = "EPSG:9205"\n'
    (folder / "profile.toml").write_text(base + '[plan]\nslogan = "a"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match=r"unknown setting\(s\) \['slogan'\] in \[plan\]"):
        load_profile("x", layers_dir=tmp_path)
    (folder / "profile.toml").write_text(base + '[roles]\npeople = "p"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match=r"unknown role\(s\) \['people'\] in \[roles\]"):
        load_profile("x", layers_dir=tmp_path)
    (folder / "profile.toml").write_text(
        base + "[plan]\ncorridor_distances_m = [1, 2, 3, 4]\n", encoding="utf-8"
    )
    with pytest.raises(ProfileError, match="one to three positive distances"):
        load_profile("x", layers_dir=tmp_path)
    (folder / "profile.toml").write_text(
        base + '[plan.regions.a]\ncolour = "#fff"\n', encoding="utf-8"
    )
    with pytest.raises(ProfileError, match=r"\[plan.regions.a\] needs name_vi"):
        load_profile("x", layers_dir=tmp_path)


def test_profile_roles_rename_a_layer(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "profile.toml").write_text(
        'slug = "x"\ncode = "99"\nname = "X"\nplanning_crs = "EPSG:9205"\n'
        '[roles]\ncensus = "population_2019"\n',
        encoding="utf-8",
    )
    profile = load_profile("x", layers_dir=tmp_path)
    assert profile.layer("census") == "population_2019"
    assert profile.layer("communes") == "communes_2025"
    with pytest.raises(ProfileError, match="unknown layer role 'people'"):
        profile.layer("people")


def test_every_layer_cites_its_source_in_vietnamese_too():
    """The Vietnamese report prints provenance.source_vi; identifiers stay as written."""
    import json

    from conftest import LAYERS

    metas = sorted(LAYERS.glob("*/*.meta.json"))
    assert len(metas) >= 41
    for path in metas:
        prov = json.loads(path.read_text("utf-8"))["provenance"]
        assert prov.get("source_vi"), path
        # commits, document numbers and dates of the source are all in its translation
        for token in re.findall(
            r"\b(?:[0-9a-f]{7}|\d+/[\w.-]+|\d{2}/\d{2}/\d{4})\b", prov["source"]
        ):
            assert token in prov["source_vi"], (path.name, token)
        # measures the Vietnamese way: 2,55 m², not 2.55 m²
        for key in ("source_vi", "licence_vi"):
            decimal_point = re.search(r"\d\.\d+ ?(?:m²|km²|km|m|ha|%)", prov.get(key, ""))
            assert not decimal_point, (path.name, key, decimal_point)
