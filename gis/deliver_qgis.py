"""The QGIS project of a Circular 04/2023/TT-BKHĐT delivery.

Art. 4-5 of the circular accept the map files in the format of the GIS software that made them;
:func:`delivery_project` writes ``OUT/<Package>.qgz`` beside ``OUT/<Package>.gdb``, opening the
geodatabase's layers by a relative path (copy the two together):

- one group per data theme (its Vietnamese name and dataset, e.g. "Xây dựng (XayDung)"), in the
  order of the theme letters, as the geodatabase's feature datasets;
- each layer in the colour of the location map III.1 (:data:`gis.deliver_map.LAYER_STYLES`)
  if it is drawn there, else its theme's (``color`` of ``gis/data/circular04_themes.csv``); both
  are the toolkit's own [I], the symbol sheets of Phụ lục II were not available; administrative
  units (``RanhGioi…``) as boundaries only; planned layers (status group ``Q``: ``DinhHuong…``)
  dashed, planned points hollow (Phụ lục II.II.b), as on the delivery's maps; points labelled
  with ``ten``;
- drawn points over lines over areas whatever their theme (Art. 8.4), by QGIS's "control
  rendering order";
- in the delivery CRS, each layer with its metadata (title, abstract, lineage and licence of the
  ISO 19115 record beside it).

Checked with QGIS 3.22.16 of Debian 12 (headless, ``tests/test_deliver.py``): every layer valid,
feature counts those of the geodatabase.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyproj

from gis.circular04 import Theme
from gis.deliver_map import LAYER_STYLES
from gis.profile import Profile
from gis.qgis import ProjectLayer, ogr_source, save_project
from gis.qgis_style import LayerStyle, Symbol

__all__ = ["delivery_project"]

_KIND = {"P": "point", "L": "line", "A": "polygon"}
_DRAW_ORDER = ("point", "line", "polygon")  # top first (Art. 8.4)


def _style(name: str, theme: Theme, group: str) -> LayerStyle:
    kind = _KIND[name.rsplit("_", 1)[-1]]
    planned = group == "Q"
    weight, fill_opacity = (1.0, 0.9) if kind == "point" else (1.2, 0.25)
    color, hollow = theme.color, planned and kind == "point"
    drawn = LAYER_STYLES.get(name)  # as on the location map III.1
    if drawn is not None:
        _, mpl, _, _ = drawn
        face = mpl.get("facecolor", mpl.get("color"))
        hollow = hollow or face == "none" or mpl.get("markerfacecolor") == "white"
        color = mpl.get("edgecolor", face) if face == "none" else face
        weight = mpl.get("linewidth", weight)
    elif name.startswith("RanhGioi"):  # administrative units: their boundaries only
        color, hollow, weight = "#666666", True, 0.6
    symbol = Symbol(
        color=color,
        weight=weight,
        opacity=0.95,
        fill_opacity=fill_opacity,
        radius=5.0,
        hollow=hollow,
        dashed=planned,
    )
    return LayerStyle(
        geometry=kind,
        symbol=symbol,
        label_field="ten" if kind == "point" else None,
        extra={"outline_in_color": True},
    )


def delivery_project(
    path: str | Path,
    gdb: str,
    frames: dict[str, gpd.GeoDataFrame],
    layer_themes: dict[str, tuple[Theme, str]],
    metas: dict[str, dict],
    profile: Profile,
    *,
    crs: str,
    title: str,
) -> Path:
    """Write the QGIS project of a delivered geodatabase.

    Parameters
    ----------
    path : path
        The ``.qgz`` to write (beside the geodatabase).
    gdb : str
        The geodatabase's folder name (``LaiChau.gdb``), relative to the project.
    frames : dict
        Delivered layer name -> its features, as written.
    layer_themes : dict
        Layer name -> (its :class:`~gis.circular04.Theme`, status group ``H``/``Q``/``K``).
    metas : dict
        Layer name -> ``{"title", "description", "provenance": {"source", "licence"}}``.
    profile : Profile
    crs : str
        The delivery CRS, the project's CRS.
    title : str
        The project title.
    """
    letters = sorted({theme.letter for theme, _ in layer_themes.values()})
    layers = []
    for letter in letters:
        names = sorted(
            (n for n, (t, _) in layer_themes.items() if t.letter == letter),
            key=lambda n: (_DRAW_ORDER.index(_KIND[n[-1]]), n),
        )
        for name in names:
            theme, group = layer_themes[name]
            layers.append(
                ProjectLayer(
                    name,
                    metas[name].get("title") or name,
                    f"{theme.name_vi} ({theme.dataset})",
                    _style(name, theme, group),
                    True,
                    ogr_source(gdb, name),
                )
            )
    order = sorted(layers, key=lambda la: _DRAW_ORDER.index(la.style.geometry))
    return save_project(
        path, layers, frames, metas, profile, crs=pyproj.CRS(crs), title=title, render_order=order
    )
