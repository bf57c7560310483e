"""The national map of :mod:`gis.maps`: census urban share by province against Resolution 06.

Private to :mod:`gis.maps` (map ``do_thi_hoa_toan_quoc``). It reads the national layers of
``layers/_national/`` (beside the province's folder; ``tools/import_national.py``), not the
province's own, and draws:

- the 2019 census urban share of the 63 provinces of 2019 and of the 34 provinces of 2025 (the
  same census re-aggregated) as two views, one at a time (radio buttons; the 2019 view first),
  in classes whose breaks are the national share (34.43 %) and the > 50 % target of 2030, so
  the legend reads "below the national level / below the target / above the target";
- the province of the profile and the provinces with their own urbanisation target
  (``urbanisation_targets``) outlined and labelled with their share and target; in 2025 the
  province they were merged into.

Boundaries are simplified once more for display (:data:`DISPLAY_SIMPLIFY_M`, as a coverage in
EPSG:3405) and the outlines are taken from the simplified polygons, so they coincide.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from gis import _mapparts as parts
from gis.crs import to_crs
from gis.errors import ProfileError
from gis.maplayer import MapLayer, format_vi
from gis.profile import Profile, load_profile
from gis.webmap import Legend

__all__: list[str] = []

NATIONAL = "_national"
#: Store layer behind each part of the national map (role -> layer name in layers/_national).
NATIONAL_LAYER_NAMES: dict[str, str] = {
    "provinces_2019": "provinces_2019",
    "provinces_2025": "provinces_2025",
    "targets": "urbanisation_targets",
}
#: Coverage simplification for the web page (metres, EPSG:3405), on top of the 200 m of the
#: stored layers. A web-map pixel is about 2.4 km at zoom 6, where the whole country shows, and
#: 300 m at zoom 9; 700 m keeps both views in one page under the 1 MB budget.
DISPLAY_SIMPLIFY_M = 700.0
#: Class colours from the least to the most urban (PuOr: brown below the national share,
#: purple above the target).
CLASS_COLORS = ("#b35806", "#f1a340", "#fee0b6", "#b2abd2", "#542788")
#: Height of the title box (px): the country is fitted below it.
TITLE_PX = 70
CURRENT_COLOR = "#000000"
TARGET_COLOR = "#00897b"
COMPARISON_VI = {">": "trên", ">=": "≥", "~": "khoảng"}


@dataclass
class NationalSource(parts.Source):
    """:class:`gis._mapparts.Source` of the national layers; ``home`` is the province profile.

    Missing and used layers are recorded as ``_national/<layer>`` (the index page names them);
    the credits are the national map's sources in Vietnamese.
    """

    home: Profile | None = None
    labels: list[dict] = field(default_factory=list)
    views: list[dict] = field(default_factory=list)

    def credits(self) -> list[str]:
        out = []
        used = {u.split("/", 1)[1] for u in self.used}
        if used & {"provinces_2019", "provinces_2025"}:
            out.append(
                "dân số: Tổng điều tra dân số và nhà ở 2019 (Tổng cục Thống kê), cộng theo tỉnh"
            )
        if "provinces_2019" in used:
            out.append(
                "ranh giới 63 tỉnh: dvhcvn/gis.chinhphu.vn (Quảng Ninh: sapnhap.bando.com.vn)"
            )
        if "provinces_2025" in used:
            out.append(
                "ranh giới 34 tỉnh: sapnhap.bando.com.vn; danh sách sáp nhập: Nghị quyết "
                "202/2025/QH15"
            )
        targets = self.cache.get(self.names.get("targets", ""))
        if "urbanisation_targets" in used and targets is not None:
            # the documents are data: name the scopes here, the table gives each source
            scopes = list(dict.fromkeys(targets["scope_name"].dropna().astype(str)))
            out.append(
                "mục tiêu đô thị hóa của "
                + ", ".join(scopes)
                + " (văn bản nguồn của từng mục tiêu: bảng thống kê national_urbanisation)"
            )
        if out:
            out.append("ranh giới đã đơn giản hóa để hiển thị")
        return out

    def reset(self) -> None:
        super().reset()
        self.labels, self.views = [], []


def national_source(profile: Profile) -> NationalSource:
    """The national layers beside ``profile``'s folder (all missing if there is no profile)."""
    root = profile.path.parent
    try:
        national = load_profile(NATIONAL, layers_dir=root)
    except ProfileError:  # no layers/_national: every layer reads as missing
        national = Profile(
            slug=NATIONAL,
            code="VN",
            name="Việt Nam",
            planning_crs="EPSG:3405",
            path=root / NATIONAL,
        )
    return NationalSource(national, NATIONAL_LAYER_NAMES, prefix=f"{NATIONAL}/", home=profile)


def _pct(value: float, decimals: int = 2) -> str:
    return f"{format_vi(float(value), decimals=decimals, trim=False)} %"


def _classes(values: pd.Series, national: float, target: float | None) -> tuple[pd.Series, dict]:
    """Class label of each value and label -> colour, in order (labels sort in that order)."""
    top = target if target is not None and np.isfinite(target) else 50.0
    target_txt = " (mục tiêu 2030)" if target is not None and np.isfinite(target) else ""
    breaks = [0.0, 20.0, national, top, 70.0, np.inf]
    labels = [
        "0 – dưới 20 %",
        f"20 % – dưới {_pct(national)} (mức cả nước)",
        f"{_pct(national)} (cả nước) – dưới {_pct(top, 0)}",
        f"{_pct(top, 0)}{target_txt} – dưới 70 %",
        "70 – 100 %",
    ]
    if labels != sorted(labels):  # the category legend sorts its labels
        raise AssertionError(f"class labels do not sort in class order: {labels}")
    cls = pd.cut(values, breaks, right=False, labels=False)
    counts = np.bincount(cls.dropna().astype(int), minlength=len(labels))
    labels = [f"{lab}: {n} tỉnh" for lab, n in zip(labels, counts, strict=True)]
    out = pd.Series([labels[int(c)] if pd.notna(c) else None for c in cls], index=values.index)
    return out, dict(zip(labels, CLASS_COLORS, strict=True))


def _display(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geoms = np.asarray(units.geometry.values)
    if shapely.coverage_is_valid(geoms):
        geoms = shapely.coverage_simplify(geoms, DISPLAY_SIMPLIFY_M)
    else:  # an edited layer that is no longer a coverage: each polygon on its own
        geoms = shapely.simplify(geoms, DISPLAY_SIMPLIFY_M, preserve_topology=True)
    return units.set_geometry(gpd.GeoSeries(geoms, index=units.index, crs=units.crs))


def _target_text(row: pd.Series, national: float) -> str:
    if row["target_rule"] == "national_average":
        return f"bằng mức cả nước ({_pct(national)} năm 2019)"
    comp = COMPARISON_VI.get(row["comparison"], row["comparison"])
    year = f" năm {row['target_year']}" if isinstance(row["target_year"], str) else ""
    draft = " (dự thảo)" if row["status"] == "draft" else ""
    return f"{comp} {_pct(row['target_pct'], 0)}{year}{draft}"


def _label(row: pd.Series, units: gpd.GeoDataFrame, view: str, color: str) -> dict:
    """A label beside a highlighted province, on the side where the country is nearer its edge
    (over the sea or a neighbouring country rather than over other provinces)."""
    point = row.geometry.representative_point()
    bx0, _, bx1, _ = units.total_bounds
    strip = shapely.box(bx0, point.y - 1000.0, bx1, point.y + 1000.0)
    x0, _, x1, _ = shapely.intersection(shapely.union_all(units.geometry.values), strip).bounds
    left = point.x - x0 < x1 - point.x
    px0, _, px1, _ = shapely.intersection(row.geometry, strip).bounds
    anchor = gpd.GeoSeries([shapely.Point(px0 if left else px1, point.y)], crs=units.crs)
    anchor = to_crs(anchor, "EPSG:4326").iloc[0]
    target = row["target_vi"]
    return {
        "view": view,
        "lat": anchor.y,
        "lon": anchor.x,
        "side": "left" if left else "right",
        "title": f"{row['name']}: {_pct(row['urban_pct'], 1)}",
        "detail": f"mục tiêu: {target}" if not target.startswith("–") else "",
        "color": color,
    }


def national_map(src: NationalSource) -> list[MapLayer]:
    """Layers of the national map; labels and views for :func:`finish` are left on ``src``."""
    p19, p25 = src.get("provinces_2019"), src.get("provinces_2025")
    targets = src.get("targets")
    if p19 is None and p25 is None:
        return []
    first = p19 if p19 is not None else p25
    national = 100.0 * first["population_urban_persons"].sum() / first["population_persons"].sum()
    target, own = None, {}
    if targets is not None:
        main = targets[(targets["scope"] == "national") & targets["target_pct"].notna()]
        target = float(main["target_pct"].iloc[0]) if len(main) else None
        for _, t in targets[targets["scope"] == "province"].iterrows():
            own[str(t["scope_code"])] = _target_text(t, national)
    home = src.home
    title = "Tỷ lệ dân số đô thị 2019"
    layers = []
    for units, year, level, legend, show in (
        (p19, "2019", "63 tỉnh, thành phố (2019)", "ranh giới 2019", True),
        (p25, "2025", "34 tỉnh, thành phố (2025)", "ranh giới 2025, dân số 2019 cộng lại", False),
    ):
        if units is None:
            continue
        units = _display(units.copy())
        units["urban_pct"] = 100.0 * units["population_urban_persons"] / units["population_persons"]
        units["rank"] = units["urban_pct"].rank(ascending=False, method="min").astype(int)
        units["rank_vi"] = [f"{r}/{len(units)}" for r in units["rank"]]
        units["urban_class"], colors = _classes(units["urban_pct"], national, target)
        merged = [
            str(m).split(";") if isinstance(m, str) else [c]
            for m, c in zip(
                units.get("merged_from_codes", units["code"]), units["code"], strict=True
            )
        ]
        units["members"] = merged
        fields = {
            "name": "Tên",
            "population_persons": "Dân số 2019 (người)",
            "population_urban_persons": "Dân số đô thị 2019 (người)",
            "urban_pct": "Tỷ lệ dân số đô thị (%)",
            "rank_vi": "Xếp hạng (1 = cao nhất)",
        }
        if "merged_from_names" in units:
            fields["merged_from_names"] = "Hợp nhất từ (tỉnh 2019)"
        name = f"{title} – {level}"
        layers.append(
            MapLayer(
                units,
                name,
                column="urban_class",
                kind="category",
                colors=colors,
                fill_opacity=0.85,
                weight=0.5,
                opacity=0.8,
                coverage=True,
                show=show,
                fields=fields,
                legend_title=f"{title} (Tổng điều tra) – {units.shape[0]} tỉnh, thành phố "
                f"({legend})",
            )
        )
        view = {"main": name, "with": []}
        # the province of the profile (in 2025: the province it was merged into)
        is_home = np.array([home is not None and home.code in m for m in merged])
        is_target = np.array([bool(set(own) & set(m)) for m in merged]) & ~is_home
        for mask, kind, color, weight in (
            (is_target, "target", TARGET_COLOR, 1.25),
            (is_home, "home", CURRENT_COLOR, 1.5),
        ):
            if not mask.any():
                continue
            sel = units[mask].copy()
            sel["target_vi"] = [
                own.get(m[0], "–") if len(m) == 1 else "– (mục tiêu của tỉnh cũ)"
                for m in sel["members"]
            ]
            if kind == "home":
                label = f"Ranh giới tỉnh {sel['name'].iloc[0]} – tỉnh lập quy hoạch ({year})"
                if home is not None and sel["name"].iloc[0] != home.name:
                    label = (
                        f"Ranh giới tỉnh {sel['name'].iloc[0]} ({year}, gồm tỉnh "
                        f"{home.name} – tỉnh lập quy hoạch)"
                    )
            else:
                label = f"Tỉnh có mục tiêu đô thị hóa riêng ({year}): {', '.join(sel['name'])}"
            lines = gpd.GeoDataFrame(
                sel.drop(columns="geometry"), crs=sel.crs, geometry=sel.geometry.boundary.values
            )
            layers.append(
                MapLayer(
                    lines,
                    label,
                    color=color,
                    weight=weight,
                    opacity=1.0,
                    show=show,
                    coverage=False,
                    fields={
                        "name": "Tên",
                        "urban_pct": "Tỷ lệ dân số đô thị (%)",
                        "target_vi": "Mục tiêu đô thị hóa",
                    },
                )
            )
            view["with"].append(label)
            for _, row in sel.iterrows():
                src.labels.append(_label(row, units, name, color))
        src.views.append(view)
    return layers


class _Views(MacroElement):
    """The views are base layers (one at a time): switching one on brings its outlines and
    labels and its legend section, and takes the other view's away (after the layer control
    has finished its click, so its checkboxes follow)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var views = [
            {%- for v in this.views %}
                {main: {{ v.main }}, section: {{ v.section|tojson }},
                 with: [{{ v.with|join(", ") }}]},
            {%- endfor %}
            ];
            function show(view, on) {
                var el = document.getElementById(view.section);
                if (el) { el.style.display = on ? "" : "none"; }
                view.with.forEach(function(layer) {
                    if (on && !map.hasLayer(layer)) { map.addLayer(layer); }
                    if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
                });
            }
            map.on("baselayerchange", function(e) {
                setTimeout(function() {
                    views.forEach(function(v) { if (v.main !== e.layer) { show(v, false); } });
                    views.forEach(function(v) { if (v.main === e.layer) { show(v, true); } });
                }, 0);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, views: list[dict]):
        super().__init__()
        self._name = "Views"
        self.views = views


LABEL_CSS = """
.gis-label-icon { background: none; border: none; }
.gis-label-icon div { position: absolute; white-space: nowrap; line-height: 1.25;
  font: bold 12px/1.25 "DejaVu Sans", Arial, sans-serif; padding: 2px 6px; border-radius: 3px;
  background: rgba(255,255,255,.9); border: 2px solid; pointer-events: none; }
.gis-label-icon div small { font-weight: normal; font-size: 11px; }
.gis-label-icon div.gis-label-left { transform: translate(calc(-100% - 6px), -50%); }
.gis-label-icon div.gis-label-right { transform: translate(6px, -50%); }
"""


def finish(m: folium.Map, src: NationalSource) -> None:
    """Turn the views into base layers, add the labels and the view switch (see module doc)."""
    by_name = {c.layer_name: c for c in m._children.values() if isinstance(c, folium.GeoJson)}
    legend = next((c for c in m._children.values() if isinstance(c, Legend)), None)
    sections = legend.sections if legend is not None else {}
    m.get_root().header.add_child(Element(f"<style>{LABEL_CSS}</style>"), name="gis_labels")
    views = []
    for view in src.views:
        main = by_name[html.escape(view["main"])]
        main.overlay = False  # a base layer: the layer control shows the views as radio buttons
        group = folium.FeatureGroup(name=f"{view['main']} – nhãn", control=False, show=main.show)
        for lab in (lab for lab in src.labels if lab["view"] == view["main"]):
            detail = f"<br><small>{html.escape(lab['detail'])}</small>" if lab["detail"] else ""
            icon = folium.DivIcon(
                html=f'<div class="gis-label-{lab["side"]}" '
                f'style="border-color:{html.escape(lab["color"])}">'
                f"{html.escape(lab['title'])}{detail}</div>",
                class_name="gis-label-icon",
                icon_size=(0, 0),
            )
            folium.Marker(
                [lab["lat"], lab["lon"]], icon=icon, interactive=False, keyboard=False
            ).add_to(group)
        group.add_to(m)
        companions = [by_name[html.escape(n)].get_name() for n in view["with"]]
        views.append(
            {
                "main": main.get_name(),
                "section": sections.get(html.escape(view["main"])),
                "with": [*companions, group.get_name()],
            }
        )
    if len(views) > 1:
        _Views(views).add_to(m)
    # The whole country with Hoàng Sa and Trường Sa, below the title box, at a fractional zoom
    # so that it fills the window.
    m.options["zoom_snap"] = 0.25
    fits = [k for k, c in m._children.items() if isinstance(c, folium.FitBounds)]
    if fits:
        bounds = m._children[fits[-1]].bounds
        for k in fits:
            del m._children[k]
        m.fit_bounds(bounds, padding_top_left=(10, TITLE_PX), padding_bottom_right=(10, 10))
