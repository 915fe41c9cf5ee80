"""`tf-attention-cost`: true/false statements on attention and transformer complexity.

Multiplications are counted as the attention-cost family counts them: QKᵀ for n queries and
keys of width d is n²d, each D×D projection of S tokens is SD², A·V is n²d again. Each fact
draws its sizes and either states the correct count or a count a student gets wrong (n·d for
n², linear growth for quadratic), so the same fact is true on one paper and false on another.
"""

from __future__ import annotations

import numpy as np

from variantex.generators.kit import EdgeCase
from variantex.generators.statements import Fact, StatementBank, num, one_of

I = int  # noqa: E741 - a short cast in formulas; the numbers arrive exact (sympy); whole-number facts read them as ints


def _scores_cost(n: float, d: float) -> float:
    """Multiplications of QKᵀ, counted entry by entry: n·n entries, d products each."""
    return float(np.full((2, 2), d).sum() / 4) * n * n


FACTS = (
    Fact(
        "scores-vs-projections",
        ("n", "d"),
        draw=lambda rng: {"n": one_of(rng, 64, 128, 256, 512, 1024), "d": one_of(rng, 32, 64, 128, 256)},
        holds=lambda v: I(v["n"]) > 3 * I(v["d"]),
        check=lambda v: _scores_cost(float(v["n"]), float(v["d"])) > 3 * float(v["n"]) * float(v["d"]) ** 2,
        says=lambda v: (
            rf"For ${num(v['n'])}$ tokens of width $d = {num(v['d'])}$, computing $QK^\top$ takes more "
            r"multiplications than computing $Q$, $K$ and $V$ from the inputs."
        ),
        denies=lambda v: (
            rf"For ${num(v['n'])}$ tokens of width $d = {num(v['d'])}$, computing $QK^\top$ takes no more "
            r"multiplications than computing $Q$, $K$ and $V$ from the inputs."
        ),
        why=lambda v: (
            rf"$QK^\top$ costs $n^2 d$ and the three projections $3nd^2$; compare $n = {num(v['n'])}$ "
            rf"with $3d = {num(3 * v['d'])}$."
        ),
    ),
    Fact(
        "doubling-length",
        ("n", "factor"),
        draw=lambda rng: {"n": one_of(rng, 128, 256, 512, 1000), "factor": one_of(rng, 2, 4, 4, 8)},
        holds=lambda v: I(v["factor"]) == 4,
        check=lambda v: (
            abs(_scores_cost(2 * float(v["n"]), 8.0) / _scores_cost(float(v["n"]), 8.0) - float(v["factor"])) < 1e-9
        ),
        says=lambda v: (
            rf"Going from ${num(v['n'])}$ to ${num(2 * v['n'])}$ tokens multiplies the cost of the attention "
            rf"scores $QK^\top$ by ${num(v['factor'])}$."
        ),
        denies=lambda v: (
            rf"Going from ${num(v['n'])}$ to ${num(2 * v['n'])}$ tokens multiplies the cost of the "
            rf"attention scores $QK^\top$ by a factor other than ${num(v['factor'])}$."
        ),
        why=lambda v: r"The scores cost $n^2 d$: twice the tokens is four times the cost.",
    ),
    Fact(
        "score-entries",
        ("n", "d", "entries"),
        draw=lambda rng: (lambda n, d: {"n": n, "d": d, "entries": one_of(rng, n * n, n * n, n * d, n * (n + 1) // 2)})(
            one_of(rng, 16, 32, 64, 100), one_of(rng, 8, 16, 32)
        ),
        holds=lambda v: v["entries"] == v["n"] ** 2,
        check=lambda v: np.ones((I(v["n"]), I(v["n"]))).size == I(v["entries"]),
        says=lambda v: (
            rf"One attention head on ${num(v['n'])}$ tokens with width $d = {num(v['d'])}$ (no mask) "
            rf"computes ${num(v['entries'])}$ query–key scores."
        ),
        denies=lambda v: (
            rf"One attention head on ${num(v['n'])}$ tokens with width $d = {num(v['d'])}$ (no mask) "
            rf"computes a number of query–key scores other than ${num(v['entries'])}$."
        ),
        why=lambda v: rf"Every query meets every key: $n^2 = {num(v['n'] ** 2)}$ scores, whatever $d$.",
    ),
    Fact(
        "causal-scores",
        ("n", "kept"),
        draw=lambda rng: (
            lambda n: {"n": n, "kept": one_of(rng, n * (n + 1) // 2, n * (n + 1) // 2, n * (n - 1) // 2, n * n // 2)}
        )(one_of(rng, 8, 10, 16, 20, 32)),
        holds=lambda v: v["kept"] == v["n"] * (v["n"] + 1) / 2,
        check=lambda v: np.tril(np.ones((I(v["n"]), I(v["n"])))).sum() == float(v["kept"]),
        says=lambda v: (
            rf"With a causal mask (each of ${num(v['n'])}$ queries sees its own key and the earlier ones), "
            rf"${num(v['kept'])}$ query–key scores are kept."
        ),
        denies=lambda v: (
            rf"With a causal mask (each of ${num(v['n'])}$ queries sees its own key and the earlier ones), "
            rf"the number of query–key scores kept is not ${num(v['kept'])}$."
        ),
        why=lambda v: rf"Query $i$ sees $i$ keys: $1 + 2 + \dots + n = n(n+1)/2 = {num(v['n'] * (v['n'] + 1) / 2)}$.",
    ),
    Fact(
        "kv-cache-scores",
        ("n", "m", "total"),
        draw=lambda rng: (
            lambda n, m: {
                "n": n,
                "m": m,
                "total": one_of(rng, m * n + m * (m - 1) // 2, m * n + m * (m - 1) // 2, m * n, m * (n + m)),
            }
        )(one_of(rng, 10, 20, 50, 100), one_of(rng, 3, 4, 5, 10)),
        holds=lambda v: v["total"] == v["m"] * v["n"] + v["m"] * (v["m"] - 1) / 2,
        check=lambda v: sum(float(v["n"]) + j for j in range(I(v["m"]))) == float(v["total"]),
        says=lambda v: (
            rf"With a key–value cache, each new token's query is scored against the keys so far (the prompt's "
            rf"and the generated ones before it). Generating ${num(v['m'])}$ tokens after a "
            rf"${num(v['n'])}$-token prompt then takes ${num(v['total'])}$ scores."
        ),
        denies=lambda v: (
            rf"With a key–value cache, each new token's query is scored against the keys so far (the "
            rf"prompt's and the generated ones before it). Generating ${num(v['m'])}$ tokens after a "
            rf"${num(v['n'])}$-token prompt then takes a number of scores other than ${num(v['total'])}$."
        ),
        why=lambda v: (
            rf"Step $j = 0, \dots, m-1$ scores $n + j$ keys: $mn + m(m-1)/2 = "
            rf"{num(v['m'] * v['n'] + v['m'] * (v['m'] - 1) / 2)}$."
        ),
    ),
    Fact(
        "heads-cost",
        ("n", "width", "heads", "cost"),
        draw=lambda rng: (
            lambda n, w, h: {
                "n": n,
                "width": w,
                "heads": h,
                "cost": one_of(rng, n * n * w, n * n * w, h * n * n * w, n * n * w // h),
            }
        )(one_of(rng, 10, 20, 100), one_of(rng, 64, 128, 256), one_of(rng, 2, 4, 8)),
        holds=lambda v: v["cost"] == v["n"] ** 2 * v["width"],
        check=lambda v: (
            float(v["heads"]) * _scores_cost(float(v["n"]), float(v["width"]) / float(v["heads"])) == float(v["cost"])
        ),
        says=lambda v: (
            rf"Splitting width ${num(v['width'])}$ into ${num(v['heads'])}$ heads of width "
            rf"${num(v['width'] / v['heads'])}$, the score matrices of all heads for ${num(v['n'])}$ tokens "
            rf"take ${num(v['cost'])}$ multiplications together."
        ),
        denies=lambda v: (
            rf"Splitting width ${num(v['width'])}$ into ${num(v['heads'])}$ heads of width "
            rf"${num(v['width'] / v['heads'])}$, the score matrices of all heads for ${num(v['n'])}$ "
            rf"tokens do not take ${num(v['cost'])}$ multiplications together."
        ),
        why=lambda v: rf"$h$ heads of $n^2 (D/h)$ each: $n^2 D = {num(v['n'] ** 2 * v['width'])}$, as for one head.",
    ),
    Fact(
        "attention-dominates",
        ("s", "width"),
        draw=lambda rng: {"s": one_of(rng, 512, 1024, 2048, 4096, 8192), "width": one_of(rng, 512, 768, 1024, 2048)},
        holds=lambda v: 2 * v["s"] ** 2 * v["width"] > 4 * v["s"] * v["width"] ** 2,
        check=lambda v: float(v["s"]) / float(v["width"]) > 2.0,
        says=lambda v: (
            rf"In a transformer layer of width $D = {num(v['width'])}$ on $S = {num(v['s'])}$ tokens, the "
            r"$S^2$ terms ($QK^\top$ and $A V$) cost more multiplications than the four $D \times D$ "
            r"projections."
        ),
        denies=lambda v: (
            rf"In a transformer layer of width $D = {num(v['width'])}$ on $S = {num(v['s'])}$ tokens, the "
            r"$S^2$ terms ($QK^\top$ and $A V$) cost no more multiplications than the four $D \times D$ "
            r"projections."
        ),
        why=lambda v: (
            rf"Attention costs $2S^2D$, the projections $4SD^2$: attention dominates exactly when "
            rf"$S > 2D = {num(2 * v['width'])}$."
        ),
    ),
    Fact(
        "linear-attention",
        ("n", "features"),
        draw=lambda rng: {"n": one_of(rng, 64, 256, 1024, 4096), "features": one_of(rng, 64, 256, 1024)},
        holds=lambda v: 2 * v["features"] < v["n"],
        check=lambda v: 2 * float(v["n"]) * float(v["features"]) * 64 < _scores_cost(float(v["n"]), 64.0),
        says=lambda v: (
            rf"For ${num(v['n'])}$ tokens, linear attention $\phi(Q)\,(\phi(K)^\top V)$ with "
            rf"${num(v['features'])}$ features takes fewer multiplications than the $n^2 d$ of softmax "
            r"attention's scores."
        ),
        denies=lambda v: (
            rf"For ${num(v['n'])}$ tokens, linear attention $\phi(Q)\,(\phi(K)^\top V)$ with "
            rf"${num(v['features'])}$ features takes at least as many multiplications as the $n^2 d$ of "
            r"softmax attention's scores."
        ),
        why=lambda v: (
            rf"$\phi(K)^\top V$ and $\phi(Q)$ times it cost $2nrd$ against $n^2 d$: fewer exactly when "
            rf"$2r < n$ (here $2r = {num(2 * v['features'])}$)."
        ),
    ),
    Fact(
        "scores-memory",
        ("log_n", "heads", "log_mib"),
        draw=lambda rng: {
            "log_n": one_of(rng, 10, 11, 12, 13),
            "heads": one_of(rng, 8, 16, 32),
            "log_mib": one_of(rng, 6, 7, 8, 9, 10, 11),
        },
        # 4-byte scores: 4·h·n² bytes against 2^log_mib MiB = 2^(log_mib + 20) bytes.
        holds=lambda v: 4 * v["heads"] * 4 ** v["log_n"] > 2 ** (v["log_mib"] + 20),
        check=lambda v: np.log2(4.0) + np.log2(float(v["heads"])) + 2 * float(v["log_n"]) > float(v["log_mib"]) + 20,
        says=lambda v: (
            rf"Storing the score matrices of ${num(v['heads'])}$ heads on ${num(2 ** v['log_n'])}$ tokens in "
            rf"4-byte floats takes more than ${num(2 ** v['log_mib'])}$ MiB ($2^{{20}}$ bytes each)."
        ),
        denies=lambda v: (
            rf"Storing the score matrices of ${num(v['heads'])}$ heads on ${num(2 ** v['log_n'])}$ tokens "
            rf"in 4-byte floats takes at most ${num(2 ** v['log_mib'])}$ MiB ($2^{{20}}$ bytes each)."
        ),
        why=lambda v: (
            rf"$4 h n^2 = 2^{{{2 + 2 * v['log_n']}}} \cdot {num(v['heads'])}$ bytes "
            rf"$= {num(v['heads'] * 2 ** (2 + 2 * v['log_n'] - 20))}$ MiB."
        ),
        valid=lambda v: None if 1 <= v["log_n"] <= 20 and 0 <= v["log_mib"] <= 40 else "sizes out of range",
    ),
)


class AttentionCostStatements(StatementBank):
    id = "tf-attention-cost"
    title = "True or false: the cost of attention and transformers"
    intro = (
        "Multiplications are counted as written: $QK^\\top$ for $n$ queries and keys of width $d$ takes $n^2 d$, "
        "a $D \\times D$ projection of $S$ tokens $S D^2$."
    )
    facts = FACTS
    edge_cases = (
        EdgeCase(
            "n = 3d: the scores cost exactly what the projections cost, so 'more' is false",
            {"statements": [{"fact": "scores-vs-projections", "n": 192, "d": 64}]},
            {"s1": "false"},
        ),
        EdgeCase(
            "S = 2D: a tie, so 'attention costs no more' is true",
            {"statements": [{"fact": "attention-dominates", "s": 1024, "width": 512, "negated": True}]},
            {"s1": "true"},
        ),
        EdgeCase(
            "one generated token with a cache scores just the prompt's keys; 2r = n is not fewer",
            {
                "statements": [
                    {"fact": "kv-cache-scores", "n": 10, "m": 1, "total": 10},
                    {"fact": "linear-attention", "n": 128, "features": 64},
                    {"fact": "causal-scores", "n": 1, "kept": 1},
                ]
            },
            {"s1": "true", "s2": "false", "s3": "true"},
        ),
    )
