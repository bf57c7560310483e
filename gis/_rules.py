"""The registry of validation rules: :data:`RULES` and the :func:`register_rule` decorator.

A module of its own so that the rule modules (:mod:`gis._validation` for the generic rules,
:mod:`gis.rules_plan` for the planning layers) and the engine that runs them import the registry
without importing each other. A rule gets its parameters (one ``[[rules]]`` table of the profile)
and ``get``, a function returning a layer frame by name, handed in by the caller: the rules never
read the store themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from gis.errors import Problem

__all__ = ["RULES", "Get", "RuleFunc", "register_rule"]

#: A function returning a layer frame by name (the store's reader, or frames about to be saved).
Get = Callable[[str], pd.DataFrame]
# A rule gets (rule parameters, function returning a layer frame by name) and returns problems.
RuleFunc = Callable[[Mapping[str, Any], Get], list[Problem]]
#: Every rule by the name a profile's ``check`` uses.
RULES: dict[str, RuleFunc] = {}


def register_rule(name: str) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule function under ``name`` (decorator)."""

    def deco(func: RuleFunc) -> RuleFunc:
        RULES[name] = func
        return func

    return deco
