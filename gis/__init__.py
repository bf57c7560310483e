"""Provincial spatial planning toolkit for Vietnam (Lai Châu first).

The public API, by responsibility (one module each):

- layers: :func:`list_layers`, :func:`read_layer`, :func:`write_layer`, :func:`restore`
  (:mod:`gis.store`); province profiles: :func:`load_profile` (:mod:`gis.profile`);
- validation: :func:`validate_layer`, :func:`validate_province` (:mod:`gis.validate`);
- coordinates: :func:`to_crs` with the pinned VN-2000 datum shift (:mod:`gis.crs`);
- files: :func:`read_vector`, :func:`write_vector` (:mod:`gis.io`);
- Vietnamese text: :func:`fold`, :func:`fix_legacy_columns` (:mod:`gis.text`);
- errors: :class:`GisError` and its subclasses (:mod:`gis.errors`).
"""

from gis.crs import VN2000_TOWGS84, to_crs
from gis.errors import (
    ConflictError,
    CRSError,
    GisError,
    InputFileError,
    LayerError,
    LayerNotFoundError,
    ProfileError,
    RasterError,
    ValidationError,
)
from gis.io import read_vector, write_vector
from gis.profile import load_profile
from gis.store import history, layer_meta, list_layers, read_layer, restore, write_layer
from gis.text import fix_legacy_columns, fold
from gis.validate import validate_layer, validate_province

__all__ = [
    "VN2000_TOWGS84",
    "CRSError",
    "ConflictError",
    "GisError",
    "InputFileError",
    "LayerError",
    "LayerNotFoundError",
    "ProfileError",
    "RasterError",
    "ValidationError",
    "fix_legacy_columns",
    "fold",
    "history",
    "layer_meta",
    "list_layers",
    "load_profile",
    "read_layer",
    "read_vector",
    "restore",
    "to_crs",
    "validate_layer",
    "validate_province",
    "write_layer",
    "write_vector",
]
