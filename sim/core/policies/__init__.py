"""The mitigation policies, one module each (named as in ``policies.<name>`` of a scenario).

A policy acts where its module says: a policy that acts in the compiled turns defines
``Terms`` (its monthly terms, a named tuple) and ``terms(book, step, costs)``, and the
month's record (``sim.core.month``) carries every such policy's terms as
``m.policies.<name>``, found here from the modules themselves; its compiled functions (who
it covers, what it flags, what it costs) sit beside them. Policies that act only in Python
code (labs' releases, the regulator) keep their helpers in their module too. The book of
which policies are in force, and since when, is ``sim.core.policies.book``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

from sim.config import POLICY_NAMES

if TYPE_CHECKING:
    from sim.core.costs import CostTerms
    from sim.core.policies.book import PolicyBook

MODULES: dict[str, ModuleType] = {
    name: importlib.import_module(f"{__name__}.{name}") for name in POLICY_NAMES
}
ACTING: tuple[str, ...] = tuple(name for name, mod in MODULES.items() if hasattr(mod, "Terms"))
PolicyTerms: Any = NamedTuple(  # type: ignore[misc]
    "PolicyTerms", [(name, MODULES[name].Terms) for name in ACTING]
)


def terms(book: PolicyBook, step: int, costs: CostTerms) -> Any:
    """Every acting policy's terms this month."""
    return PolicyTerms(*(MODULES[name].terms(book, step, costs) for name in ACTING))
