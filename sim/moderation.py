"""Hub moderation: the hub scans uploads and sweeps its shelves for stripped derivatives.

Stripped uploads are rejected at upload with probability ``strength``; each month, each
stripped checkpoint still on the hub is flagged and taken down with the same probability, and
benign derivatives are taken down by mistake at ``strength x false_positive_rate``.

The platform, not the regulator, moderates, so it does not use oversight capacity. A takedown
does not unshare copies already downloaded, and the uploader may pass its copy on to its
contacts instead: moderation displaces sharing onto the graph rather than ending it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.checkpoints import Checkpoint
    from sim.model import EcosystemModel


def screen_upload(model: EcosystemModel, ckpt: Checkpoint) -> bool:
    """Upload-time scanning: True if the hub rejects a stripped upload."""
    policy = model.policies["hub_moderation"]
    if not policy.active(model.steps) or not model.checkpoints.is_stripped(ckpt):
        return False
    return bool(model.rng.random() < policy.strength)


def moderate_hub(model: EcosystemModel) -> int:
    """One month of moderation. Returns the number of takedowns."""
    policy = model.policies["hub_moderation"]
    t, rng, registry = model.steps, model.rng, model.checkpoints
    if not policy.active(t):
        return 0
    stripped = [registry[i] for i in registry.stripped_hub]
    flagged = [
        c
        for c, u in zip(stripped, rng.random(len(stripped)).tolist(), strict=True)
        if u < policy.strength
    ]
    others = [c for c in (registry[i] for i in registry.safe_hub) if not c.is_base]
    false_rate = policy.strength * policy.params.false_positive_rate
    k = int(rng.binomial(len(others), false_rate)) if others else 0
    false_flags = [
        others[i] for i in sorted(rng.choice(len(others), size=k, replace=False).tolist())
    ]
    for ckpt in flagged:
        registry.take_down(ckpt)
        uploader = model.actors[ckpt.creator]
        if not uploader.banned and rng.random() < model.cfg.sharing.p2p_share_prob:
            uploader.share_with_neighbours(ckpt)
    for ckpt in false_flags:
        registry.take_down(ckpt)
    return len(flagged) + len(false_flags)
