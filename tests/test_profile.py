import pytest

from gis.errors import ProfileError
from gis.profile import list_profiles, load_profile
from gis.store import list_layers, read_layer
from gis.validate import validate_province


def test_lai_chau_profile(store_copy):
    p = load_profile("lai_chau", layers_dir=store_copy)
    assert (p.code, p.name, p.planning_crs) == ("12", "Lai Châu", "EPSG:9205")
    assert p.official_area_km2 == 9068.73
    assert "communes_2025" in p.layers and p.rules


def test_second_province_needs_no_code(two_provinces):
    """A tiny Bắc Ninh profile: same code path, its own CRS (EPSG:9209) and official area."""
    assert list_profiles(layers_dir=two_provinces) == ["bac_ninh", "cao_bang", "lai_chau"]
    results = validate_province(province="bac_ninh", layers_dir=two_provinces)
    assert set(results) == {
        "province",
        "districts_pre2025",
        "region_assignment_pre2025",
        "orientation_regions_pre2025",
    }
    assert not [p for probs in results.values() for p in probs if p.severity == "error"]
    prov = read_layer("province", province="bac_ninh", layers_dir=two_provinces)
    assert prov.crs.to_epsg() == 9209
    # GSO: 822.71 km² (pre-2025 Bắc Ninh); computed in its own TM-3 zone.
    assert prov.area.sum() / 1e6 == pytest.approx(822.71, rel=0.01)
    assert len(list_layers(province="bac_ninh", layers_dir=two_provinces)) == 4


def test_unknown_province_lists_known(store_copy):
    with pytest.raises(ProfileError, match=r"no province profile.*Known provinces.*lai_chau"):
        load_profile("ha_giang", layers_dir=store_copy)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('slug = "lai_chau"\ncode="12"\nname="x"\n', r"lacks required key\(s\) \['planning_crs'\]"),
        ('slug = "lai_chau"\ncode="12"\nname="x"\nplanning_crs="EPSG:4326"\n', "not projected"),
        ('slug = "lai_chau"\ncode="12"\nname="x"\nplanning_crs="EPSG:999999"\n', "not a CRS"),
        ('slug = "other"\ncode="12"\nname="x"\nplanning_crs="EPSG:9205"\n', "differs from"),
        ("slug = [", "not valid UTF-8 TOML"),
    ],
)
def test_bad_profiles(store_copy, text, match):
    (store_copy / "lai_chau" / "profile.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=match):
        load_profile("lai_chau", layers_dir=store_copy)
