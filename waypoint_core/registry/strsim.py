"""String distances the name matcher uses: optimal string alignment (Damerau-Levenshtein with adjacent
transpositions) and Jaro-Winkler. Small, exact, and pure Python: names are short."""

from __future__ import annotations


def osa_distance(a: str, b: str, limit: int | None = None) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) to turn a into b.

    With `limit`, returns limit + 1 as soon as the distance is known to exceed it.
    """
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if limit is not None and abs(la - lb) > limit:
        return limit + 1
    if not la or not lb:
        return max(la, lb)
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        row_min = cur[0]
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cb = b[j - 1]
            cost = 0 if ca == cb else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, prev2[j - 2] + 1)
            cur[j] = value
            row_min = min(row_min, value)
        if limit is not None and row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[lb]


def jaro_winkler(a: str, b: str, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity in [0, 1]; 1 for equal strings."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    window = max(0, max(la, lb) // 2 - 1)
    matched_a = [False] * la
    matched_b = [False] * lb
    matches = 0
    for i, ch in enumerate(a):
        lo, hi = max(0, i - window), min(lb, i + window + 1)
        for j in range(lo, hi):
            if not matched_b[j] and b[j] == ch:
                matched_a[i] = matched_b[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    transpositions = 0
    j = 0
    for i in range(la):
        if matched_a[i]:
            while not matched_b[j]:
                j += 1
            if a[i] != b[j]:
                transpositions += 1
            j += 1
    m = float(matches)
    jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4]):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


def edits_up_to_one(a: str, b: str) -> int:
    """0 if equal, 1 if one edit (insert, delete, substitute, swap neighbours) apart, else 2. Linear time:
    the duplicate generator compares many numbers that differ everywhere."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]][:3]
        if len(diff) == 1:
            return 1
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
            return 1
        return 2
    if abs(la - lb) != 1:
        return 2
    if la < lb:
        a, b = b, a  # a is the longer
    i = 0
    while i < len(b) and a[i] == b[i]:
        i += 1
    return 1 if a[i + 1:] == b[i:] else 2


def deletions(s: str) -> set[str]:
    """Every string one deletion away from s. Two strings within one edit share s, t or one of these."""
    return {s[:i] + s[i + 1:] for i in range(len(s))}
