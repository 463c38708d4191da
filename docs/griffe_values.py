"""A Griffe extension for the API reference: module constants shown by their value.

Griffe reads the source, so ``GOAL_RESULTS = v.GOAL_RESULTS`` would be shown as
the private alias it is assigned from. After the package is loaded, each
module-level UPPER_CASE constant whose source value is not a plain literal is
given the ``repr`` of its value at run time (long values cut at 400 characters).
Loaded by mkdocs.yml (``extensions: [docs/griffe_values.py]``).
"""

from __future__ import annotations

import ast
import importlib
from typing import Any

import griffe

LIMIT = 400


class ConstantValues(griffe.Extension):
    """Replace constants' source expressions by their run-time ``repr``."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._module(pkg)

    def _module(self, module: griffe.Module) -> None:
        for member in list(module.members.values()):
            if member.is_alias:
                continue
            if isinstance(member, griffe.Module):
                self._module(member)
            elif isinstance(member, griffe.Attribute) and member.name.isupper():
                self._constant(module, member)

    def _constant(self, module: griffe.Module, attr: griffe.Attribute) -> None:
        source = str(attr.value) if attr.value is not None else ""
        try:
            ast.literal_eval(source)
        except (ValueError, SyntaxError):
            pass
        else:
            return  # a literal already shows its value
        try:
            value = getattr(importlib.import_module(module.path), attr.name)
        except Exception:  # the reference still builds; the source expression stays
            return
        text = repr(value)
        if len(text) > LIMIT:
            text = text[:LIMIT] + " ..."
        attr.value = text
