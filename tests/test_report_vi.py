"""Vietnamese statistics outputs and the Excel layout (gis.report, gis._translate).

Rule checked here: with ``language="vi"`` no English word is left in what a planner reads - sheet
names, titles, definitions, units, headers and cells of the workbook, report.md - except

* names and codes (``gis.report._NAME_COLUMNS``: place names stay as they are, identifiers such as
  ``urbanisation_rate|province|2030`` are keys, not text);
* the columns that quote the layers (:data:`gis.report.RECORDED_COLUMNS`: citations, quotes of
  documents, notes): they keep the words of their source, like a bibliography;
* in the "Nguồn dữ liệu" line (each layer's ``provenance.source_vi``), file paths and repository
  names (words with a slash or a dot);
* code identifiers written in backticks (layer, column and function names, commands) and URLs.

Expected values are independent: the 2019 census counted 460,196 people in Lai Châu (GSO,
Population and Housing Census 01/04/2019; 81,889 urban).
"""

import re

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from gis._translate import Translator, load_table
from gis.cli import cli
from gis.errors import ProfileError
from gis.profile import load_profile
from gis.report import (
    _NAME_COLUMNS,
    RECORDED_COLUMNS,
    column_labels_vi,
    sheet_name,
    write_statistics,
)
from gis.stats import compute_statistics

CENSUS_TOTAL = 460_196  # persons, Lai Châu, census 01/04/2019 (GSO)

#: English words that must not survive translation (whole words, any case).
ENGLISH = re.compile(
    r"\b(the|of|and|with|from|missing|persons|existing|urban area|threshold|reported|computed|"
    r"decision|resolution|census|layer|not|rows|road|population|share|district|commune|"
    r"province|none|yes|met|target|source|statistics|definition|sources|file|unit|within|per)\b",
    re.IGNORECASE,
)


def _english(text: str) -> list[str]:
    text = re.sub(r"`[^`]*`", "", text)  # identifiers
    text = re.sub(r"https?://\S+|\(#\w+\)|<a id=\"\w+\"></a>", "", text)  # URLs, anchors
    return ENGLISH.findall(text)


def _without_paths(text: str) -> str:
    """Provenance text without file paths, repositories and file names (identifiers)."""
    return re.sub(r"\S*[/.]\S*", "", text)


@pytest.fixture(scope="module")
def tables(store_copy_session):
    return compute_statistics("lai_chau", layers_dir=store_copy_session)


@pytest.fixture(scope="module")
def written(tables, tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    return {lang: write_statistics(tables, root / lang, language=lang) for lang in ("en", "vi")}


def _exempt_vi() -> set[str]:
    labels = column_labels_vi()
    return {labels[c] for c in (*RECORDED_COLUMNS, *_NAME_COLUMNS)}


def test_vietnamese_workbook_has_no_english_words(written):
    book = load_workbook(written["vi"]["excel"])
    exempt, left = _exempt_vi(), []
    for sheet in book.worksheets:
        left += [(sheet.title, w) for w in _english(sheet.title)]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows)
        left += [(sheet.title, h) for h in header if _english(str(h))]
        for row in rows:
            for head, value in zip(header, row, strict=True):
                if head == "Nguồn dữ liệu" and isinstance(value, str):
                    value = _without_paths(value)
                if isinstance(value, str) and head not in exempt and _english(value):
                    left.append((sheet.title, head, value[:120], _english(value)))
    assert not left, left[:10]


def test_vietnamese_report_has_no_english_words(written):
    lines = written["vi"]["report"].read_text(encoding="utf-8").splitlines()
    exempt, header, left = _exempt_vi(), [], []
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        if line.startswith("|---"):
            continue
        if line.startswith("- **Nguồn dữ liệu:**"):
            line = _without_paths(line)
        if after.startswith("|---"):  # a table's header row
            header = line[2:-2].split(" | ")
        elif line.startswith("| "):
            cells = line[2:-2].split(" | ")
            line = " | ".join(c for h, c in zip(header, cells, strict=True) if h not in exempt)
        left += [(line[:120], w) for w in _english(line)]
    assert not left, left[:10]


def test_census_total_in_both_languages(written):
    en = written["en"]["report"].read_text(encoding="utf-8")
    vi = written["vi"]["report"].read_text(encoding="utf-8")
    assert f"| province | 12 | Lai Châu | — | 9,070.17 | {CENSUS_TOTAL:,} | 81,889 |" in en
    assert "| tỉnh | 12 | Lai Châu | — | 9.070,17 | 460.196 | 81.889 | 378.307 | 17,79 |" in vi
    # numbers inside sentences come from the data, written the Vietnamese way
    assert "81.889 người thành thị trên 460.196 người" in vi
    assert "13 trong số 13 đường hiện có là sơ đồ" in vi
    for lang, label in (("en", "population_persons"), ("vi", "Dân số (người)")):
        sheet = load_workbook(written[lang]["excel"])[sheet_name("population", lang)]
        header = [c.value for c in sheet[1]]
        cell = sheet.cell(sheet.max_row, header.index(label) + 1)  # the province row is last
        assert (cell.value, cell.number_format) == (CENSUS_TOTAL, "#,##0")
        csv = pd.read_csv(written[lang]["population"], encoding="utf-8-sig")
        assert csv[label].iloc[-1] == CENSUS_TOTAL


def test_csv_names_stay_and_vietnamese_ones_carry_a_bom(written):
    assert {p.name for k, p in written["vi"].items()} == {p.name for p in written["en"].values()}
    assert written["vi"]["unit_areas"].read_bytes()[:3] == b"\xef\xbb\xbf"
    assert written["en"]["unit_areas"].read_bytes()[:3] == b"uni"  # English: plain UTF-8
    vi = pd.read_csv(written["vi"]["unit_areas"], encoding="utf-8-sig")
    assert list(vi.columns[:4]) == ["Hệ thống đơn vị", "Mã", "Tên", "Diện tích (km²)"]
    assert set(vi["Hệ thống đơn vị"]) == {"tỉnh", "huyện (trước 2025)", "xã, phường (từ 2025)"}


def test_sheets_are_vietnamese_unique_and_short(tables, written):
    book = load_workbook(written["vi"]["excel"])
    expected = [sheet_name(n, "vi") for n in ["contents", *tables]]
    assert book.sheetnames == expected and expected[0] == "Mục lục"
    assert len(set(expected)) == len(expected) and max(map(len, expected)) <= 31
    toc = book["Mục lục"]
    assert [toc.cell(i, 1).hyperlink.location for i in (2, 3)] == [
        f"'{expected[1]}'!A1",
        f"'{expected[2]}'!A1",
    ]
    assert load_workbook(written["en"]["excel"]).sheetnames == ["contents", *tables]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_excel_header_frozen_filtered_sized_and_rounded(written, lang):
    book = load_workbook(written[lang]["excel"])
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert all(w and w > 0 for w in widths), sheet.title
    tr = Translator(lang)

    def fmt(table: str, column: str, row: int = -1) -> str:
        sheet = book[sheet_name(table, lang)]
        header = [c.value for c in sheet[1]]
        return sheet.cell(sheet.max_row if row < 0 else row, header.index(tr.column(column)) + 1)

    assert fmt("population", "population_persons").number_format == "#,##0"
    assert fmt("population", "census_urban_pct").number_format == "#,##0.00"  # as published
    assert fmt("population", "area_km2").number_format == "#,##0.00"
    assert fmt("population", "density_persons_per_km2").number_format == "#,##0.0"
    assert fmt("urbanised_share", "urban_unit_area_ha").number_format == "#,##0.00"
    assert fmt("urbanised_share", "urban_unit_area_pct").number_format == "#,##0.0"
    assert fmt("unit_areas", "diff_pct").number_format == "#,##0.0"
    # targets as their documents state them: 30 % (row 1), 1.4 %/year, 57.5 % of communes
    targets = pd.read_csv(written[lang]["indicators_vs_targets"], encoding="utf-8-sig")
    value = tr.column("target_value")
    for stated, number_format in ((30.0, "#,##0"), (1.4, "#,##0.0"), (57.5, "#,##0.0")):
        row = int(targets.index[targets[value] == stated][0]) + 2
        assert fmt("indicators_vs_targets", "target_value", row).number_format == number_format
    assert fmt("population", "area_km2").value == pytest.approx(9070.17, abs=0.01)  # full value
    # a column of long text wraps instead of growing without end
    sheet = book[sheet_name("contents", lang)]
    assert sheet.column_dimensions["C"].width <= 70 and sheet["C2"].alignment.wrap_text


def test_translation_table_is_sound(tables):
    table = load_table()
    tr = Translator("vi")
    assert set(tables) | {"contents"} <= set(tr.rows("sheet"))
    labels = column_labels_vi()
    for name, frame in tables.items():
        shown = [labels.get(c) for c in frame.columns]
        assert None not in shown, (name, [c for c in frame.columns if c not in labels])
        assert len(set(shown)) == len(shown), name  # no two columns share a header
    for vi in table.loc[table["kind"] == "text", "vi"]:
        tr._labels(vi)  # every [[name]] names a column or a table


def test_templates_fill_numbers_from_the_text():
    tr = Translator("vi")
    assert tr.text("differs by more than 2.5 %: not explained in facts") == (
        "chênh lệch trên 2,5 %: lớp `facts` chưa giải thích"
    )
    assert tr.text("Not computed: layer roads missing; layer facilities missing.") == (
        "Chưa tính: thiếu lớp `roads`; thiếu lớp `facilities`."
    )
    assert tr.text("12,345 persons / 1,234.5 km² (polygon area of 03388 Đoàn Kết)") == (
        "12.345 người / 1.234,5 km² (diện tích đa giác của 03388 Đoàn Kết)"
    )
    assert tr.text("Mường Tè") == "Mường Tè"  # a place name stays
    assert Translator("en").text("met") == "met"


def test_docstring_examples_run():
    import doctest

    import gis._translate
    import gis.report

    for module in (gis.report, gis._translate):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__


def test_unknown_language_is_refused(tables, tmp_path):
    with pytest.raises(ValueError, match=r"unknown language 'fr'; use one of \['en', 'vi'\]"):
        write_statistics(tables, tmp_path, language="fr")
    with pytest.raises(ValueError, match="contradicts"):
        write_statistics(tables, tmp_path, language="en", vietnamese=True)


def _profile(tmp_path, extra: str):
    folder = tmp_path / "demo"
    folder.mkdir(parents=True)
    (folder / "profile.toml").write_text(
        f'slug = "demo"\ncode = "99"\nname = "Demo"\nplanning_crs = "EPSG:9205"\n{extra}',
        encoding="utf-8",
    )
    return load_profile("demo", layers_dir=tmp_path)


def test_profile_report_language(tmp_path):
    assert _profile(tmp_path, '[report]\nlanguage = "vi"\n').report_language == "vi"
    assert _profile(tmp_path / "b", "").report_language is None


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ('[report]\nlangauge = "vi"\n', r"unknown setting\(s\) \['langauge'\] in \[report\]"),
        ('[report]\nlanguage = "vn"\n', r"'vn' is not allowed; use one of \['en', 'vi'\]"),
        ('language = "vi"\n', r"'language' belongs in the \[report\] table"),
    ],
)
def test_profile_refuses_unknown_report_settings(tmp_path, extra, match):
    with pytest.raises(ProfileError, match=match):
        _profile(tmp_path, extra)


def test_cli_takes_the_language_from_the_profile(store_copy, tmp_path):
    profile = store_copy / "lai_chau" / "profile.toml"
    profile.write_text(
        profile.read_text(encoding="utf-8") + '\n[report]\nlanguage = "vi"\n', encoding="utf-8"
    )
    runner = CliRunner()
    res = runner.invoke(cli, ["stats", "--out", str(tmp_path / "o"), "--layers", str(store_copy)])
    assert res.exit_code == 0, res.output
    assert "(vi)" in res.output
    report = (tmp_path / "o" / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Thống kê: Lai Châu")
    bad = ["stats", "--vietnamese", "--language", "en", "--layers", str(store_copy)]
    res = runner.invoke(cli, bad)
    assert res.exit_code != 0 and "contradict" in res.output
