"""The month's terms: one typed record of everything the compiled rules read that stays the
same for a whole month, built from the configuration and the state at the month's start.

Each part comes from the module that owns it: the cost curve (``costs``), new checkpoints'
prices (``checkpoints``), sharing and the shared offer (``search``), pools (``pooling``),
each kind of actor (``actors.TERMS``), each acting policy (``policies``), and labs' APIs.
The offer and the APIs are filled in after the labs' releases (:func:`after_releases`).
Named tuples work compiled and under ``NUMBA_DISABLE_JIT`` alike.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sim.core import costs, policies
from sim.core.actors import TERMS
from sim.core.actors.labs import ApiTerms
from sim.core.checkpoints import CheckpointTerms
from sim.core.pooling import PoolTerms
from sim.core.search import RECENT_RELEASES, Offer, SharingTerms, no_offer, offer

Month: Any = NamedTuple(  # type: ignore[misc]
    "Month",
    [
        ("t", int),
        ("costs", costs.CostTerms),
        ("ckpts", CheckpointTerms),
        ("sharing", SharingTerms),
        ("pooling", PoolTerms),
        *TERMS.items(),
        ("policies", policies.PolicyTerms),
        ("api", ApiTerms),
        ("offer", Offer),
    ],
)


def start(model: Any) -> Any:
    """The month's terms as it starts (no offer yet: labs have not released)."""
    t, cfg, book = model.steps, model.cfg, model.policies
    cost_terms = costs.terms(cfg.costs, t, model.techniques.published_sums)
    acting = policies.terms(book, t, cost_terms)
    return Month(
        t,
        cost_terms,
        model.checkpoints.terms,
        SharingTerms.of(cfg),
        PoolTerms.of(cfg, acting.pool_monitoring.efficiency_loss),
        *(part.of(model) for part in TERMS.values()),
        acting,
        ApiTerms(-1, -1, -1, 0.0, False),
        no_offer(),
    )


def after_releases(model: Any, month: Any) -> Any:
    """The terms with this month's shared offer and fine-tuning APIs."""
    window = RECENT_RELEASES * model.cfg.labs.release_interval
    world = model.world
    best = world.main.safe.best_id()
    shared = offer(model.checkpoints, best, month.t, window, month.costs.finetune_now)
    return month._replace(api=ApiTerms.of(world), offer=shared)


def reporting(model: Any, month: Any) -> Any:
    """The terms as the month ends: techniques published and policies the regulator
    switched on this month count."""
    cost_terms = costs.terms(model.cfg.costs, month.t, model.techniques.published_sums)
    acting = policies.terms(model.policies, month.t, cost_terms)
    return month._replace(costs=cost_terms, policies=acting)
