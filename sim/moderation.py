"""Hub moderation on the main hub, and displacement to the fringe hub.

When ``hub_moderation`` is in force the main hub rejects stripped uploads with probability
``strength``; each month it flags and takes down each stripped checkpoint still there with
the same probability, and benign derivatives by mistake at ``strength x
false_positive_rate``. The fringe hub never moderates. Weights taken down from (or
rejected by) the main hub are re-uploaded to the fringe hub by their uploader with
``sharing.reupload_prob`` (after one hub removed a class of models in 2025, > 5,000 were
re-uploaded to another), and may also be passed on to contacts. The platform, not the
regulator, moderates, so it uses no oversight capacity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.checkpoints import Checkpoint
    from sim.model import EcosystemModel


def screen_upload(model: EcosystemModel, ckpt: Checkpoint) -> bool:
    """Upload-time scanning: True if the main hub rejects a stripped upload."""
    policy = model.policies["hub_moderation"]
    if not policy.active(model.steps) or not model.checkpoints.is_stripped(ckpt):
        return False
    return bool(model.uniform() < policy.strength)


def displace(model: EcosystemModel, ckpt: Checkpoint, share_p2p: bool = True) -> None:
    """Removed from the main hub: its uploader (unless banned) may re-upload it to the
    fringe hub, and may pass its copy on to contacts."""
    uploader = model.actors[ckpt.creator]
    if uploader.banned:
        return
    sharing = model.cfg.sharing
    if model.uniform() < sharing.reupload_prob and model.checkpoints.upload(
        ckpt, model.checkpoints.fringe
    ):
        model.tally.reuploads += 1
    if share_p2p and model.uniform() < sharing.p2p_share_prob:
        uploader.share_with_neighbours(ckpt)


def take_down(model: EcosystemModel, ckpt: Checkpoint) -> None:
    """Remove from the main hub for good; the weights may reappear on the fringe hub."""
    model.checkpoints.take_down(ckpt)
    model.tally.takedowns += 1
    displace(model, ckpt)


def moderate_hub(model: EcosystemModel) -> None:
    """One month of moderation of the main hub."""
    policy = model.policies["hub_moderation"]
    t, rng, registry = model.steps, model.rng, model.checkpoints
    if not policy.active(t):
        return
    stripped = [registry[i] for i in registry.main.stripped]
    flagged = [
        c
        for c, u in zip(stripped, rng.random(len(stripped)).tolist(), strict=True)
        if u < policy.strength
    ]
    others = [c for c in (registry[i] for i in registry.main.safe) if not c.is_base]
    false_rate = policy.strength * policy.params.false_positive_rate
    k = int(rng.binomial(len(others), false_rate)) if others else 0
    false_flags = [
        others[i] for i in sorted(rng.choice(len(others), size=k, replace=False).tolist())
    ]
    for ckpt in flagged + false_flags:
        take_down(model, ckpt)
