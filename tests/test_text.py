"""Tests of gis.text: NFC, TCVN3/VNI conversion and detection, fold, join_by_name.

Where the expected values come from
-----------------------------------
* TCVN3 bytes of the Lai Châu names (``TCVN3_NAMES``) were produced with GNU libc
  ``iconv -f UTF-8 -t TCVN5712-1`` (a peer implementation, not this module's table);
  ``test_tcvn3_names_match_iconv`` re-checks them when iconv is installed.
* Published TCVN3 examples: "Ninh B×nh" (comment in backupvietsoft/HRM ConvertVNI/XtraForm1.cs);
  "B¶o Th¾ng", "M­êng Kh­¬ng", "B¸t X¸t" (a public convertTcvn3ToUnicode example).
* VNI: "Xin chaøo caùc baïn" (README of the npm package vietnamese-conversion, duydev); single
  letters from the comparison table "Unicode & Vietnamese Legacy Character Encodings" (as
  reproduced at dothanhlong.org/unicode-va-ma-hoa-ky-tu-cu-cua-viet-nam); the whole table from
  xvnkb's vni.h (Dao Hai Lam), transcribed below. The VNI spellings of the Lai Châu names were
  written by hand from that table.
"""

from __future__ import annotations

import doctest
import shutil
import string
import subprocess
import unicodedata

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

import gis.text
from gis._legacy_tables import TCVN3_TO_UNICODE, VNI_TO_UNICODE
from gis.errors import LayerError
from gis.text import (
    convert_legacy,
    detect_legacy_encoding,
    fix_legacy_columns,
    fold,
    join_by_name,
    normalise_text_columns,
    to_legacy,
    to_nfc,
)

TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]  # none, sắc, huyền, hỏi, ngã, nặng
BASES = "aâăeêioôơuưy"
LOWER = [unicodedata.normalize("NFC", b + t) for b in BASES for t in TONES] + ["đ"]
ALL_LETTERS = sorted({c for c in LOWER + [c.upper() for c in LOWER] if not c.isascii()})
TCVN3_LETTERS = sorted({c for c in LOWER if not c.isascii()} | set("ĂÂÊÔƠƯĐ"))

TCVN3_NAMES = {  # Unicode -> TCVN3 bytes, from iconv -t TCVN5712-1
    "Lai Châu": b"Lai Ch\xa9u",
    "Mường Tè": b"M\xad\xeang T\xcc",
    "Sìn Hồ": b"S\xd7n H\xe5",
    "Phong Thổ": b"Phong Th\xe6",
    "Đoàn Kết": b"\xa7o\xb5n K\xd5t",
    "Tam Đường": b"Tam \xa7\xad\xeang",
    "Nậm Nhùn": b"N\xcbm Nh\xefn",
    "Than Uyên": b"Than Uy\xaan",
}
VNI_NAMES = {  # Unicode -> VNI, by hand from the xvnkb table
    "Lai Châu": "Lai Chaâu",
    "Mường Tè": "Möôøng Teø",
    "Sìn Hồ": "Sìn Hoà",
    "Phong Thổ": "Phong Thoå",
    "Đoàn Kết": "Ñoaøn Keát",
    "Điện Biên": "Ñieän Bieân",
}
# Pre-2025 Lai Châu commune names (public administrative names), for detection tests.
NAMES = [
    "Phường Quyết Thắng",
    "Phường Tân Phong",
    "Phường Đoàn Kết",
    "Thị trấn Mường Tè",
    "Thị trấn Nậm Nhùn",
    "Thị trấn Phong Thổ",
    "Thị trấn Sìn Hồ",
    "Thị trấn Tam Đường",
    "Xã Bum Nưa",
    "Xã Bum Tở",
    "Xã Bản Bo",
    "Xã Chăn Nưa",
    "Xã Dào San",
    "Xã Hua Nà",
    "Xã Huổi Luông",
    "Xã Hồ Thầu",
    "Xã Ka Lăng",
    "Xã Khổng Lào",
    "Xã Lê Lợi",
    "Xã Mù Cả",
    "Xã Mường Khoa",
    "Xã Mồ Sì San",
    "Xã Noong Hẻo",
    "Xã Nậm Cha",
    "Xã Nậm Chà",
    "Xã Pa Khoá",
    "Xã Pa Vệ Sử",
    "Xã Pa ủ",
    "Xã Pú Đao",
    "Xã Sì Lở Lầu",
    "Xã Thu Lũm",
    "Xã Tá Bạ",
    "Xã Tả Ngảo",
    "Xã Tủa Sín Chải",
    "Xã Trung Đồng",
    "Xã Tà Hừa",
]

# xvnkb vni.h, upper case: per base letter, VNI for no tone, sắc, huyền, hỏi, ngã, nặng.
XVNKB_VNI = {
    "A": "A AÙ AØ AÛ AÕ AÏ",
    "Â": "AÂ AÁ AÀ AÅ AÃ AÄ",
    "Ă": "AÊ AÉ AÈ AÚ AÜ AË",
    "E": "E EÙ EØ EÛ EÕ EÏ",
    "Ê": "EÂ EÁ EÀ EÅ EÃ EÄ",
    "I": "I Í Ì Æ Ó Ò",
    "O": "O OÙ OØ OÛ OÕ OÏ",
    "Ô": "OÂ OÁ OÀ OÅ OÃ OÄ",
    "Ơ": "Ô ÔÙ ÔØ ÔÛ ÔÕ ÔÏ",
    "U": "U UÙ UØ UÛ UÕ UÏ",
    "Ư": "Ö ÖÙ ÖØ ÖÛ ÖÕ ÖÏ",
    "Y": "Y YÙ YØ YÛ YÕ Î",
}

HAS_ICONV_TCVN = shutil.which("iconv") is not None and (
    subprocess.run(["iconv", "-l"], capture_output=True, text=True).stdout.find("TCVN5712-1") >= 0
)


def _iconv(data: bytes, src: str, dst: str) -> bytes:
    return subprocess.run(["iconv", "-f", src, "-t", dst], input=data, capture_output=True).stdout


def test_docstring_examples():
    result = doctest.testmod(gis.text)
    assert result.attempted >= 20 and result.failed == 0


# --- tables -------------------------------------------------------------------------------------


def test_tables_cover_every_letter_once():
    assert sorted(VNI_TO_UNICODE.values()) == ALL_LETTERS  # 134 letters, both cases
    assert len(ALL_LETTERS) == 134
    assert sorted(TCVN3_TO_UNICODE.values()) == TCVN3_LETTERS  # 67 lower + Ă Â Ê Ô Ơ Ư Đ
    assert len(TCVN3_LETTERS) == 74
    assert all(len(k) == 1 and 0xA1 <= ord(k) <= 0xFE for k in TCVN3_TO_UNICODE)


@pytest.mark.skipif(not HAS_ICONV_TCVN, reason="GNU iconv with TCVN5712-1 not installed")
def test_tcvn3_table_matches_glibc_iconv():
    for code, letter in TCVN3_TO_UNICODE.items():
        assert _iconv(code.encode("latin-1"), "TCVN5712-1", "UTF-8").decode() == letter, hex(
            ord(code)
        )


@pytest.mark.skipif(not HAS_ICONV_TCVN, reason="GNU iconv with TCVN5712-1 not installed")
def test_tcvn3_names_match_iconv():
    for name, raw in TCVN3_NAMES.items():
        assert _iconv(name.encode(), "UTF-8", "TCVN5712-1") == raw


def test_vni_table_matches_xvnkb():
    for base, row in XVNKB_VNI.items():
        for tone, vni in zip(TONES, row.split(), strict=True):
            upper = unicodedata.normalize("NFC", base + tone)
            assert convert_legacy(vni, "vni") == upper
            assert convert_legacy(vni.lower(), "vni") == upper.lower()
    assert convert_legacy("Ññ", "vni") == "Đđ"


def test_published_single_letters():
    # "Unicode & Vietnamese Legacy Character Encodings" table: (letter, VNI hex, TCVN3 hex)
    rows = [
        ("À", "41 D8", None),
        ("Á", "41 D9", None),
        ("Â", "41 C2", "A2"),
        ("Ê", "45 C2", "A3"),
        ("Ì", "CC", None),
        ("Í", "CD", None),
        ("Ô", "4F C2", "A4"),
        ("Õ", "4F D5", None),
        ("Ý", "59 D9", None),
        ("à", "61 F8", "B5"),
        ("á", "61 F9", "B8"),
        ("â", "61 E2", "A9"),
        ("ã", "61 F5", "B7"),
        ("è", "65 F8", "CC"),
        ("é", "65 F9", "D0"),
    ]
    for letter, vni, tcvn in rows:
        assert convert_legacy(bytes.fromhex(vni), "vni") == letter
        if tcvn:
            assert convert_legacy(bytes.fromhex(tcvn), "tcvn3") == letter


# --- conversion ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "raw"), TCVN3_NAMES.items())
def test_tcvn3_names(name, raw):
    assert convert_legacy(raw, "tcvn3") == name  # bytes
    assert convert_legacy(raw.decode("cp1252"), "tcvn3") == name  # as read by a cp1252 reader
    assert to_legacy(name, "tcvn3").encode("latin-1") == raw


@pytest.mark.parametrize(("name", "vni"), VNI_NAMES.items())
def test_vni_names(name, vni):
    assert convert_legacy(vni, "vni") == name
    assert to_legacy(name, "vni") == vni


@pytest.mark.parametrize(
    ("raw", "encoding", "expected"),
    [
        ("Ninh B×nh", "tcvn3", "Ninh Bình"),
        ("B¶o Th¾ng", "tcvn3", "Bảo Thắng"),
        ("M\xadêng Kh\xad¬ng", "tcvn3", "Mường Khương"),
        ("B¸t X¸t", "tcvn3", "Bát Xát"),
        ("Xin chaøo caùc baïn", "vni", "Xin chào các bạn"),
    ],
)
def test_published_examples(raw, encoding, expected):
    assert convert_legacy(raw, encoding) == expected


def test_tcvn3_capitals():
    assert convert_legacy("M¦êNG TÌ", "tcvn3") == "MƯỜNG TÈ"
    assert convert_legacy("M¦êNG TÌ", "tcvn3", restore_caps=False) == "MƯờNG Tè"
    # title case made of one-letter toned syllables must stay title case
    assert convert_legacy("X· T¸ B¹", "tcvn3") == "Xã Tá Bạ"
    assert convert_legacy("§oµn KÕt", "tcvn3") == "Đoàn Kết"
    # title case: a word starting with a toned vowel gets its capital back
    assert convert_legacy("HuyÖn B¸c ¸i", "tcvn3") == "Huyện Bác Ái"
    assert convert_legacy("X· Pa ñ", "tcvn3") == "Xã Pa Ủ"
    assert convert_legacy("HuyÖn B¸c ¸i", "tcvn3", restore_caps=False) == "Huyện Bác ái"
    # not enough evidence of title case: left as decoded
    assert convert_legacy("Nhµ ë", "tcvn3") == "Nhà ở"
    assert convert_legacy("ThÞ trÊn ¶ng", "tcvn3") == "Thị trấn ảng"


def test_convert_passes_other_values():
    assert convert_legacy(None, "vni") is None
    assert convert_legacy("UBND 2024", "tcvn3") == "UBND 2024"


def test_convert_unknown_encoding():
    with pytest.raises(ValueError, match="unknown legacy encoding 'abc'; use one of tcvn3, vni"):
        convert_legacy("x", "abc")


def test_to_legacy_errors():
    with pytest.raises(ValueError, match=r"'Á' \(U\+00C1\) at position 0 .* has no TCVN3 code"):
        to_legacy("Á Lả", "tcvn3")
    assert to_legacy("Á Lả", "tcvn3", errors="lower") == "¸ L¶"
    with pytest.raises(ValueError, match=r"'ç' .* not a Vietnamese letter and has no VNI code"):
        to_legacy("Façade", "vni")
    with pytest.raises(ValueError, match="unknown errors='ignore'"):
        to_legacy("a", "vni", errors="ignore")


VIET_TEXT = st.text(alphabet=st.sampled_from([*ALL_LETTERS, *string.ascii_letters, " "]))


@given(VIET_TEXT)
def test_vni_round_trip(text):
    assert convert_legacy(to_legacy(text, "vni"), "vni") == text


@given(st.text(alphabet=st.sampled_from([*TCVN3_LETTERS, *string.ascii_letters, " "])))
def test_tcvn3_round_trip(text):
    assert convert_legacy(to_legacy(text, "tcvn3"), "tcvn3", restore_caps=False) == text


# --- detection ----------------------------------------------------------------------------------


def test_detect_real_names():
    assert detect_legacy_encoding(NAMES) is None
    tcvn = [to_legacy(n, "tcvn3") for n in NAMES]
    vni = [to_legacy(n, "vni") for n in NAMES]
    assert detect_legacy_encoding(tcvn) == "tcvn3"
    assert detect_legacy_encoding(vni) == "vni"
    assert detect_legacy_encoding(pd.Series([*tcvn, None, 3.5])) == "tcvn3"
    for name in NAMES:  # one name at a time, where it has enough evidence it is not misread
        assert detect_legacy_encoding(to_legacy(name, "tcvn3"), min_evidence=1) in ("tcvn3", None)
        assert detect_legacy_encoding(to_legacy(name, "vni"), min_evidence=1) in ("vni", None)


def test_detect_needs_evidence():
    assert detect_legacy_encoding("Lai Ch©u") is None  # 1 point < min_evidence=2
    assert detect_legacy_encoding("Lai Ch©u", min_evidence=1) == "tcvn3"
    assert detect_legacy_encoding(["© OpenStreetMap", "§ 3"]) is None  # symbols, not letters
    assert detect_legacy_encoding(["Hoà Bình", "Sóc Sơn", "Hòa"]) is None  # "oà" is Vietnamese


@given(st.lists(st.sampled_from(NAMES)))
def test_detect_unicode_is_none(names):
    assert detect_legacy_encoding(names, min_evidence=1) is None


@given(VIET_TEXT.filter(lambda t: any(ord(c) > 0xFF for c in t)))
def test_detect_any_text_beyond_latin1_is_none(text):
    assert detect_legacy_encoding([text], min_evidence=1) is None


@given(st.lists(st.text(alphabet=string.printable)))
def test_detect_ascii_is_none(texts):
    assert detect_legacy_encoding(texts, min_evidence=1) is None


# --- data frames --------------------------------------------------------------------------------


def test_normalise_text_columns():
    nfd = unicodedata.normalize("NFD", "Mường Tè")
    gdf = gpd.GeoDataFrame(
        {"name": [nfd, None], "n": [1, 2]}, geometry=[Point(0, 0), Point(1, 1)], crs="EPSG:9205"
    )
    out = normalise_text_columns(gdf)
    assert out.loc[0, "name"] == "Mường Tè" and pd.isna(out.loc[1, "name"])
    assert gdf.loc[0, "name"] == nfd  # input untouched
    assert isinstance(out, gpd.GeoDataFrame) and out.crs == gdf.crs
    assert to_nfc(5) == 5


def test_fix_legacy_columns():
    names = ["Lai Châu", "Mường Tè", "Sìn Hồ", "Đoàn Kết"]
    df = pd.DataFrame(
        {
            "ten_tcvn": [to_legacy(n, "tcvn3") for n in names],
            "ten_vni": [to_legacy(n, "vni") for n in names],
            "ten": [unicodedata.normalize("NFD", n) for n in names],
            "code": ["105", "106", "107", None],
            "pop": [1, 2, 3, 4],
        }
    )
    before = df.copy()
    fixed, report = fix_legacy_columns(df)
    pd.testing.assert_frame_equal(df, before)
    assert fixed["ten_tcvn"].tolist() == names
    assert fixed["ten_vni"].tolist() == names
    assert fixed["ten"].tolist() == names  # NFC
    pd.testing.assert_series_equal(fixed["code"], df["code"])
    rep = report.set_index("column")
    assert rep.index.tolist() == ["ten_tcvn", "ten_vni", "ten", "code"]
    assert rep.loc["ten_tcvn", "encoding"] == "tcvn3" and rep.loc["ten_tcvn", "n_converted"] == 4
    assert rep.loc["ten_vni", "encoding"] == "vni" and rep.loc["ten_vni", "n_converted"] == 4
    assert rep.loc["ten", "encoding"] is None and rep.loc["ten", "n_converted"] == 0
    assert rep.loc["ten_tcvn", "examples"][:2] == [
        "Lai Ch©u -> Lai Châu",
        "M\xadêng TÌ -> Mường Tè",
    ]


def test_fix_legacy_mixed_column():
    # VNI "Sìn Hoà" has no evidence and is also a possible Unicode text: in a column that holds
    # correct Unicode too it is left alone and counted as unsure.
    values = ["Möôøng Teø", "Ñoaøn Keát", "Sìn Hoà", "Tam Đường", "Pa ủ"]
    fixed, report = fix_legacy_columns(pd.DataFrame({"name": values}))
    assert fixed["name"].tolist() == ["Mường Tè", "Đoàn Kết", "Sìn Hoà", "Tam Đường", "Pa ủ"]
    row = report.iloc[0]
    assert (row["encoding"], row["n_converted"], row["n_unicode"], row["n_unsure"]) == (
        "vni",
        2,
        2,
        1,
    )


def test_fix_legacy_columns_missing():
    with pytest.raises(LayerError, match=r"no column\(s\) \['nom'\] in the table"):
        fix_legacy_columns(pd.DataFrame({"name": ["a"]}), columns=["nom"])


# --- fold and join ------------------------------------------------------------------------------


def test_fold():
    assert fold("  Đoàn   Kết ") == "doan ket"
    assert fold(unicodedata.normalize("NFD", "MƯỜNG TÈ")) == "muong te"
    assert fold("Xã Nậm Cha") == fold("Xã Nậm Chà") == "xa nam cha"
    assert fold(None) is None


@given(VIET_TEXT)
def test_fold_is_ascii_and_idempotent(text):
    folded = fold(text)
    assert folded.isascii() and folded == folded.lower() and fold(folded) == folded


def test_join_by_name():
    left = gpd.GeoDataFrame(
        {"name": ["Mường Tè", "Sìn Hồ", None], "pop": [1, 2, 3]},
        geometry=[Point(0, 0), Point(1, 1), Point(2, 2)],
        crs="EPSG:9205",
    )
    right = pd.DataFrame({"name": ["MUONG TE", "Sin  Ho", None], "code": ["A", "B", "C"]})
    exact = join_by_name(left, right, "name", "name")
    assert len(exact) == 0  # NaN names never match each other
    both = join_by_name(left, right, "name", "name", ignore_case=True, ignore_diacritics=True)
    assert isinstance(both, gpd.GeoDataFrame)
    assert both[["name", "name_right", "code"]].values.tolist() == [
        ["Mường Tè", "MUONG TE", "A"],
        ["Sìn Hồ", "Sin  Ho", "B"],
    ]
    assert join_by_name(left, right, "name", "name", how="left")["code"].isna().all()
    case_only = join_by_name(left, pd.DataFrame({"n": ["MƯỜNG TÈ"]}), "name", "n", ignore_case=True)
    assert case_only["pop"].tolist() == [1]


def test_join_by_name_ambiguous():
    left = pd.DataFrame({"name": ["Xã Nậm Cha", "Xã Nậm Chà"], "x": [1, 2]})
    right = pd.DataFrame({"ten": ["Xa Nam Cha"], "code": ["03439"]})
    with pytest.raises(LayerError, match=r"left column 'name' match different names.*Nậm Chà"):
        join_by_name(left, right, "name", "ten", ignore_diacritics=True, ignore_case=True)
    # with diacritics kept, the two names are distinct and nothing is ambiguous
    assert len(join_by_name(left, left, "name", "name")) == 2


def test_join_by_name_errors():
    df = pd.DataFrame({"name": ["A", "B"]})
    dup = pd.DataFrame({"name": ["A", "A"], "v": [1, 2]})
    with pytest.raises(LayerError, match=r"1 name\(s\) occur more than once in the right column"):
        join_by_name(df, dup, "name", "name")
    with pytest.raises(LayerError, match="no column 'nom' in the right table"):
        join_by_name(df, df, "name", "nom")
    with pytest.raises(ValueError, match="unknown how='cross'"):
        join_by_name(df, df, "name", "name", how="cross")
