"""Errors users can catch and act on.

Every error of the toolkit derives from :class:`GisError`; each also derives from the builtin a
caller would naturally catch (``ValueError``, ``OSError``), as rasterio does. Messages say what is
wrong, what was found and how to fix it. The CLI prints ``str(error)`` and exits non-zero, with no
traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CRSError",
    "ConflictError",
    "GisError",
    "InputFileError",
    "LayerError",
    "LayerNotFoundError",
    "MissingDependencyError",
    "ParallelError",
    "Problem",
    "ProfileError",
    "RasterError",
    "SettingsError",
    "ValidationError",
    "WriteError",
]


class GisError(Exception):
    """Base class of all toolkit errors."""


class LayerError(GisError, ValueError):
    """A layer is missing, malformed or cannot be written."""


class LayerNotFoundError(LayerError, KeyError):
    """No layer of that name in the store."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class CRSError(GisError, ValueError):
    """A coordinate reference system is missing, wrong for the task or cannot be used."""


class InputFileError(GisError, ValueError):
    """A file given by the user cannot be read (format, encoding, missing parts)."""


class ProfileError(GisError, ValueError):
    """A province profile is malformed."""


class RasterError(GisError, ValueError):
    """A raster cannot be used (no CRS, no overlap with the units, ...)."""


class SettingsError(GisError, AttributeError):
    """An unknown name was assigned in :mod:`gis.settings` (a typo would otherwise be ignored)."""


class MissingDependencyError(GisError, ImportError):
    """An optional dependency (an extra such as ``[dask]``) is not installed."""


class ParallelError(GisError, ValueError):
    """A function cannot run over partitions, or the partitioning options are wrong."""


class WriteError(GisError, OSError):
    """A file cannot be written: read-only folder, no permission, full disk, name too long.

    The message names the target (never a temporary file), says whether anything changed and
    how to fix it (:func:`gis._writes.write_error`).
    """

    def __str__(self) -> str:  # OSError would show (errno, text) for two arguments
        return str(self.args[0]) if self.args else ""


class ConflictError(GisError, RuntimeError):
    """A layer changed on disk since it was opened; saving would overwrite someone's edit."""


@dataclass(frozen=True)
class Problem:
    """One problem found by validation.

    Attributes
    ----------
    layer : str
        Layer name.
    check : str
        Short name of the check (``"schema"``, ``"geometry"``, ``"crs"``, ``"partition"`` ...).
    message : str
        What is wrong, with the values found.
    feature : str or None
        Id of the offending feature (value of the layer's id column), if any.
    hint : str
        How to fix it.
    severity : str
        ``"error"`` or ``"warning"``.
    """

    layer: str
    check: str
    message: str
    feature: str | None = None
    hint: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.layer}" + (f" [{self.feature}]" if self.feature is not None else "")
        text = f"{self.severity.upper()} {where} {self.check}: {self.message}"
        return text + (f" -> {self.hint}" if self.hint else "")


class ValidationError(LayerError):
    """A layer breaks its schema or the profile's rules; ``problems`` lists every problem."""

    def __init__(self, layer: str, problems: list[Problem]):
        self.layer = layer
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"layer '{layer}' is not valid ({len(errors)} error(s)):"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))
