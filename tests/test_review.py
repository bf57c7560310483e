"""``gis review``: a known amendment lists exactly its three changes, on a map that opens offline.

The amendment, saved once to ``urban_areas``: Thị trấn Tân Uyên moved 1,200 m east, Thị trấn
Than Uyên's class of 2030 raised from IV to III, and one urban area added. Reviewed from the
version kept in the store's history to the current files, and from a git revision.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest
import shapely
from conftest import LAYERS, copy_store

from gis.cli import main
from gis.review import review_changes, write_review
from gis.store import history, read_layer, write_layer

MOVED, RECLASSED, ADDED = "d1585_thi_tran_tan_uyen", "d1585_thi_tran_than_uyen", "test_new_town"


@pytest.fixture(scope="module")
def amended(tmp_path_factory):
    root = tmp_path_factory.mktemp("review") / "layers"
    for slug in ("lai_chau", "_national"):
        copy_store(LAYERS / slug, root / slug)
    urban = read_layer("urban_areas", province="lai_chau", layers_dir=root)
    before = urban.copy()
    i = urban.index[urban["urban_id"] == MOVED][0]
    j = urban.index[urban["urban_id"] == RECLASSED][0]
    assert urban.loc[j, "class_2030"] == "IV"
    urban.loc[i, "geometry"] = shapely.affinity.translate(urban.loc[i, "geometry"], 1200.0)
    assert urban.loc[j, "class_target"] == "IV"  # the class at the row's horizon (2030)
    urban.loc[j, ["class_2030", "class_target"]] = "III"
    new = urban.loc[[j]].assign(urban_id=ADDED, urban_area="Đô thị thử nghiệm")
    new["geometry"] = shapely.affinity.translate(urban.loc[j, "geometry"], 300.0, 300.0)
    urban = pd.concat([urban, new], ignore_index=True)
    # the amendment breaks the plan's class counts: the store keeps it only without rules
    write_layer(
        urban,
        "urban_areas",
        province="lai_chau",
        layers_dir=root,
        message="amendment under review",
        check_rules=False,
    )
    previous = history("urban_areas", province="lai_chau", layers_dir=root)["previous"].iloc[-1]
    return {"root": root, "previous": previous, "before": before}


def test_review_lists_exactly_the_three_changes(amended):
    review = review_changes(
        ["urban_areas"],
        from_rev=amended["previous"][:16],
        to_rev=None,
        province="lai_chau",
        layers_dir=amended["root"],
    )
    table = review.changes.set_index("id")
    assert sorted(table.index) == sorted([MOVED, RECLASSED, ADDED])
    assert table.loc[MOVED, "change"] == "moved"
    assert table.loc[MOVED, "distance_m"] == pytest.approx(1200.0, abs=0.02)  # 1 cm grid
    assert table.loc[RECLASSED, "change"] == "changed"
    assert table.loc[RECLASSED, "changes"] == "class_2030: IV → III; class_target: IV → III"
    assert table.loc[ADDED, "change"] == "added" and table.loc[ADDED, "change_vi"] == "Thêm mới"
    stats = review.statistics
    counts = stats[(stats["table"] == "urban_system") & (stats["column"] == "n_urban_areas")]
    moved = {r: (b, a) for r, b, a in counts[["row", "before", "after"]].itertuples(index=False)}
    assert moved["Decision 1585/QĐ-TTg (2023) | 2030 | III"] == (1, 3)  # +Than Uyên, +new
    assert moved["Decision 1585/QĐ-TTg (2023) | 2030 | IV"] == (5, 4)


def test_review_from_git_revision(amended, tmp_path):
    """The same amendment reviewed against a git commit of the layers."""
    repo = amended["root"]
    previous = repo / "lai_chau" / ".history" / "urban_areas"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    current = (repo / "lai_chau" / "urban_areas.geojson").read_bytes()
    kept = next(p for p in previous.iterdir() if p.suffix == ".geojson")
    (repo / "lai_chau" / "urban_areas.geojson").write_bytes(kept.read_bytes())
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "lai_chau/urban_areas.geojson"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "before"], check=True)
    (repo / "lai_chau" / "urban_areas.geojson").write_bytes(current)
    review = review_changes(
        ["urban_areas"], from_rev="HEAD", province="lai_chau", layers_dir=repo, statistics=False
    )
    assert sorted(review.changes["id"]) == sorted([MOVED, RECLASSED, ADDED])
    assert review.labels == ("git HEAD", "các tệp hiện tại")
    shutil.rmtree(repo / ".git")


def test_review_map_and_cli(amended, tmp_path, capsys):
    main(
        [
            "review",
            "urban_areas",
            "--from",
            amended["previous"][:16],
            "--out",
            str(tmp_path / "review"),
            "--province",
            "lai_chau",
            "--layers",
            str(amended["root"]),
        ]
    )
    said = capsys.readouterr().out
    assert "3 feature(s) changed (1 added, 1 changed, 1 moved)" in said
    assert f"urban_areas {MOVED} Thị trấn Tân Uyên: moved, 1,200 m" in said
    page = (tmp_path / "review" / "review.html").read_text(encoding="utf-8")
    props = [json.loads(p) for p in re.findall(r'"properties": (\{[^{}]*\})', page)]
    drawn = {(p.get("id"), p.get("change_vi")) for p in props if p.get("id")}
    assert {(MOVED, "Dịch chuyển"), (RECLASSED, "Đổi thuộc tính"), (ADDED, "Thêm mới")} <= drawn
    assert "Rà soát thay đổi" in page and len(page.encode()) < 1_000_000


def test_unknown_revision_is_one_clear_line(amended, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "review",
                "urban_areas",
                "--from",
                "nosuchrev",
                "--out",
                str(tmp_path / "r"),
                "--province",
                "lai_chau",
                "--layers",
                str(amended["root"]),
            ]
        )
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "is not in a git repository; give a version from `gis history LAYER`" in err


@pytest.mark.browser
def test_review_map_opens_offline_with_the_three_features(amended, tmp_path, browser):
    paths = write_review(
        review_changes(
            ["urban_areas"],
            from_rev=amended["previous"][:16],
            province="lai_chau",
            layers_dir=amended["root"],
            statistics=False,
        ),
        tmp_path,
        province="lai_chau",
        layers_dir=amended["root"],
    )
    report = browser.open(paths["map"], screenshot="review.png")
    assert report.leaflet == "1.9.4" and report.errors == []
    # outline, old and new position, the line of the move, the changed one and the added one
    assert report.paths >= 6
    for legend in ("Dịch chuyển: vị trí mới", "Đổi thuộc tính", "Thêm mới"):
        assert legend in report.text
