"""A run happened (a fine-tune, a pool's run, a strip, an uplift): the policies in force may
report it, and the regulator may later audit it."""

from __future__ import annotations

from numba import njit

from sim.core.logs import log_activity
from sim.core.policies import compute_kyc, pool_monitoring


@njit(cache=True, inline="always")
def record_run(w, m, kind, size, ckpt, malicious, compute):
    """A run by ``scratch.pool[:size]`` (the initiator first) of ``compute`` USD: compute
    KYC may report a solo cloud run, pool monitoring a pooled one; either way it is logged
    for the regulator."""
    pool = w.scratch.pool
    if size == 1:
        own = w.nodes.own_hardware[pool[0]]
        flagged = compute_kyc.reports(w, m.policies.compute_kyc, m.costs, compute, own)
    else:
        flagged = pool_monitoring.reports(w, m.policies.pool_monitoring)
    log_activity(w.log, kind, pool, size, ckpt, malicious, flagged)
