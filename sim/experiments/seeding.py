"""The one seeding scheme: every run's seed derives from a root seed and the run's position.

``SeedSequence(root, spawn_key=key)`` gives independent, well-mixed streams, and a run's seed
depends only on (root, key), never on how many runs there are, their order, the executor or
the number of workers. Scenarios compared with the same root share their seeds (common random
numbers).
"""

from __future__ import annotations

import numpy as np


def derive_seed(root: int, *key: int) -> int:
    """The seed of the run at ``key`` (e.g. ``(replication,)`` or ``(sample, replication)``)."""
    state = np.random.SeedSequence(root, spawn_key=tuple(int(k) for k in key)).generate_state(
        1, dtype=np.uint64
    )
    return int(state[0] >> np.uint64(1))  # 63 bits: a valid seed everywhere, incl. YAML


def replication_seeds(root: int, replications: int) -> list[int]:
    return [derive_seed(root, r) for r in range(replications)]
