"""Seeds derived from (exam seed, student, question slot).

Each question's generator comes from `SeedSequence(exam_seed, spawn_key=(student, slot))`
with stable hashes of the ids, so adding a student or a question never shifts anyone
else's draws, and no global random state is touched.
"""

from __future__ import annotations

import hashlib

import numpy as np

PRACTICE = ""  # the "student" of a build without a roster


def stable_hash(text: str) -> int:
    """A process-independent 64-bit hash (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def spawn_key(student: str, slot: str) -> tuple[int, int]:
    return (stable_hash(student), stable_hash(slot))


def rng_for(exam_seed: int, student: str, slot: str) -> np.random.Generator:
    sequence = np.random.SeedSequence(entropy=exam_seed, spawn_key=spawn_key(student, slot))
    return np.random.default_rng(sequence)


def show_rng(seed: int) -> np.random.Generator:
    """What `variantex show --seed SEED` draws from (docs/families.md shows the same draws)."""
    return rng_for(seed, PRACTICE, "show")
