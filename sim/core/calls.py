"""Calling compiled rules from Python without re-deriving their argument types each time.

Numba finds the compiled version of a function for a call by typing every argument; for the
world's tables and the month's nested records that costs close to a millisecond a
call (more than many months' work in a small world). :func:`from_python` types a call's
arguments once per *shape* of arguments (the Python types, and each array's dtype,
dimensions and contiguity; a named tuple by its class, since the core's named tuples always
hold the same kinds of arrays), then calls the compiled entry point directly. Under
``NUMBA_DISABLE_JIT`` it is the plain function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np
from numba.core.dispatcher import Dispatcher


def from_python[F: Callable[..., Any]](fn: F) -> F:
    """``fn`` as Python should call it (the same results, without the typing cost)."""
    if not isinstance(fn, Dispatcher):
        return fn
    entries: dict[tuple, Callable[..., Any]] = {}

    def call(*args: Any) -> Any:
        key = tuple(map(_shape, args))
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = fn.compile(tuple(numba.typeof(a) for a in args))
        return entry(*args)

    call.__doc__, call.__name__ = fn.__doc__, fn.__name__
    return call  # type: ignore[return-value]


def _shape(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return (type(x), x.dtype, x.ndim, x.flags.c_contiguous)
    if isinstance(x, tuple):
        return type(x) if hasattr(x, "_fields") else (tuple, *map(_shape, x))
    return type(x)
