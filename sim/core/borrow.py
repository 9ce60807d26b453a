"""Arrays for the compiled turns without reference counting.

Numba counts references to every array a compiled function receives: each call of a rule
with the world's arrays ``w`` (a named tuple of some thirty arrays) and the month's terms
``m`` adds and removes one reference per array, with atomic instructions, on entry and
exit. Over the many small rules of a turn that costs more than the rules' own work.
:func:`borrowed` returns the same arrays without an owner to count (Numba's own arrays made
from raw memory, ``numba.carray``, are the same kind of view): the compiled turns borrow the
world's arrays for the length of one call, during which nothing frees or replaces them
(tables grow only in Python, between calls). In plain Python (``NUMBA_DISABLE_JIT``) it
returns its argument.
"""

from __future__ import annotations

from typing import Any

from numba import types
from numba.extending import intrinsic, overload


def borrowed(x: Any) -> Any:
    """``x`` with every array in it borrowed (in Python: ``x`` itself)."""
    return x


@intrinsic
def _without_owner(typingctx, array):  # type: ignore[no-untyped-def]
    if not isinstance(array, types.Array):
        return None

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        source = context.make_array(array)(context, builder, args[0])
        view = context.make_array(array)(context, builder)
        context.populate_array(
            view,
            data=source.data,
            shape=source.shape,
            strides=source.strides,
            itemsize=source.itemsize,
            meminfo=None,
        )
        return view._getvalue()

    return array(array), codegen


@overload(borrowed, inline="always")
def _borrowed(x):  # type: ignore[no-untyped-def]
    if isinstance(x, types.Array):
        return lambda x: _without_owner(x)
    if isinstance(x, types.BaseTuple):
        items = "".join(f"borrowed(x[{i}]), " for i in range(len(x)))
        named = isinstance(x, types.BaseNamedTuple)
        body = f"cls({items})" if named else f"({items})"
        scope: dict[str, Any] = {"borrowed": borrowed, "cls": getattr(x, "instance_class", None)}
        exec(f"def impl(x):\n    return {body}\n", scope)
        return scope["impl"]
    return lambda x: x
