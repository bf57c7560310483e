"""``gis build`` on three provinces, each titled for itself, with no code between them.

Lai Châu (the full plan), Cao Bằng (units and census only: no orientation, urban areas or
infrastructure layers yet) and the tiny test province Bắc Ninh (outline, districts, regions).
What a province has no layer for is named as missing, on the index page and in the report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, LAYERS, copy_store

from gis import settings
from gis.cli import main
from gis.profile import load_profile

#: GSO 2019 Population and Housing Census, Cao Bằng (DOMAIN.md): 530,341 persons.
CAO_BANG_CENSUS = 530_341


def _build(root: Path, slug: str, tmp: Path, capsys, monkeypatch):
    """``gis build --province SLUG``; returns exit code, statistics and maps folders, output."""
    out, maps = tmp / f"out_{slug}", tmp / f"maps_{slug}"
    monkeypatch.setattr(settings, "OUT_DIR", out)
    monkeypatch.setattr(settings, "MAPS_DIR", maps)
    try:
        main(["build", "--province", slug, "--layers", str(root)])
        code = 0
    except SystemExit as exc:
        code = exc.code
    said = capsys.readouterr()
    return code, out, maps, said.out + said.err


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("three") / "layers"
    for slug in ("cao_bang", "_national"):
        copy_store(LAYERS / slug, root / slug)
    copy_store(FIXTURES / "stores" / "bac_ninh", root / "bac_ninh")
    return root


def _titles(maps: Path) -> dict[str, str]:
    manifest = json.loads((maps / "maps.json").read_text(encoding="utf-8"))
    return {m["slug"]: m for m in manifest["maps"]}


def test_cao_bang_builds_titled_for_itself_and_names_what_it_lacks(
    three, tmp_path, capsys, monkeypatch
):
    code, out, maps, said = _build(three, "cao_bang", tmp_path, capsys, monkeypatch)
    assert code == 0, said
    entries = _titles(maps)
    drawn = {s for s, m in entries.items() if m["file"]}
    assert {"tk_dien_tich", "tk_do_thi_hoa", "do_thi_hoa_toan_quoc"} <= drawn
    assert "dinh_huong" not in drawn and "do_thi" not in drawn and "hanh_lang" not in drawn
    assert entries["dinh_huong"]["title"] == "Định hướng phát triển không gian tỉnh Cao Bằng"
    assert "orientation_axis" in entries["dinh_huong"]["missing_layers"]
    assert "dinh_huong: not drawn, the province has none of its layers" in said
    index = (maps / "index.html").read_text(encoding="utf-8")
    assert "Bản đồ quy hoạch tỉnh Cao Bằng" in index
    assert (
        "Không dựng được (thiếu lớp dữ liệu): Định hướng phát triển không gian tỉnh "
        "Cao Bằng (cần một trong các lớp: orientation_regions_pre2025" in index
    )
    for page in [maps / "index.html", *maps.glob("tk_*.html")]:
        text = page.read_text(encoding="utf-8")
        assert "Lai Châu" not in text and "một trục" not in text.lower(), page.name
    # the census urbanisation map colours the 56 communes and 10 districts
    html = (maps / "tk_do_thi_hoa.html").read_text(encoding="utf-8")
    props = [json.loads(p) for p in re.findall(r'"properties": (\{[^{}]*\})', html)]
    shown = {
        p["code"]: float(p["urban_pct_2019_calc"].replace(".", "").replace(",", "."))
        for p in props
        if "urban_pct_2019_calc" in p
    }
    assert len(shown) == 56 + 10
    assert (maps / "print" / "tk_do_thi_hoa.png").stat().st_size > 100_000
    # the report: census urbanisation for the 56 communes and the 10 districts, as on the map
    pop = pd.read_csv(out / "population.csv", dtype={"code": str})
    for code, pct in zip(pop["code"], pop["census_urban_pct"], strict=True):
        if code in shown:
            assert abs(shown[code] - pct) <= 0.51, code  # the map rounds to whole percent
    for system, n in (("communes_2025", 56), ("districts_pre2025", 10)):
        rows = pop[pop["unit_system"] == system]
        assert len(rows) == n and rows["census_urban_pct"].notna().all()
        assert rows["population_persons"].sum() == CAO_BANG_CENSUS
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "layer orientation_axis missing" in report
    assert "một trục" not in report.lower()  # the national table names other provinces


def test_tiny_province_builds_titled_for_itself(three, tmp_path, capsys, monkeypatch):
    code, _, maps, said = _build(three, "bac_ninh", tmp_path, capsys, monkeypatch)
    assert code == 0, said
    entries = _titles(maps)
    assert entries["dinh_huong"]["file"] == "dinh_huong.html"
    assert entries["dinh_huong"]["title"] == "Định hướng phát triển không gian tỉnh Bắc Ninh"
    assert load_profile("bac_ninh", layers_dir=three).plan.orientation_vi == ""
    html = (maps / "dinh_huong.html").read_text(encoding="utf-8")
    assert "Bắc Ninh" in html and "một trục" not in html.lower() and "Lai Châu" not in html


def test_lai_chau_titles_come_from_its_profile(store_copy_session, tmp_path):
    """The slogan and band distances of the titles are the profile's, not code."""
    from gis.maps import MAPS, _title

    profile = load_profile("lai_chau", layers_dir=store_copy_session)
    titles = {spec.slug: _title(spec.title, profile) for spec in MAPS}
    assert titles["dinh_huong"] == (
        "Định hướng phát triển không gian tỉnh Lai Châu: một trục – hai vùng – ba trụ cột"
    )
    assert titles["hanh_lang"] == "Hành lang kinh tế: dải 5, 10, 20 km quanh trục"
    text = (store_copy_session / "lai_chau" / "profile.toml").read_text(encoding="utf-8")
    folder = tmp_path / "layers" / "lai_chau"
    folder.mkdir(parents=True)
    (folder / "profile.toml").write_text(
        text.replace(
            "corridor_distances_m = [5000, 10000, 20000]", "corridor_distances_m = [3000, 15000]"
        ).replace('"một trục – hai vùng – ba trụ cột"', '"hai cực"'),
        encoding="utf-8",
    )
    changed = load_profile("lai_chau", layers_dir=tmp_path / "layers")
    titles = {spec.slug: _title(spec.title, changed) for spec in MAPS}
    assert titles["dinh_huong"] == "Định hướng phát triển không gian tỉnh Lai Châu: hai cực"
    assert titles["hanh_lang"] == "Hành lang kinh tế: dải 3, 15 km quanh trục"
