"""Seeded randomness that makes the demo deterministic and prefix-stable.

Every entity draws from its own generator derived from (seed, kind, key). So a signup's
calls do not depend on how many events another account had, and simulating a longer
history never changes what happened earlier. Python's `random` is used (not numpy's) because
its streams are stable across versions, which byte-identical API responses rely on.
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid


def derive_seed(seed: int, *keys: object) -> int:
    text = "|".join([str(seed), *map(str, keys)])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def rng_for(seed: int, *keys: object) -> random.Random:
    return random.Random(derive_seed(seed, *keys))


def poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw: Knuth's method for small means, a rounded normal for large ones."""
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def weighted_choice(rng: random.Random, weights: dict) -> object:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def uuid4_from(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
