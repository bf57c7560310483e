"""Provincial spatial planning toolkit for Vietnam (Lai Châu first)."""

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
    "to_crs",
]
