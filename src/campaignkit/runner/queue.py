"""The due queue of `CampaignRunner`: a calendar queue of packed ``int`` keys.

Each entry is one ``int``: (time in microseconds, priority rank, loading index)
packed so that comparing the ints compares the tuples. Ints compare in C
without touching tuples or datetimes, which keeps the queue cheap and compact.
A `DueQueue` has a `_Lane` per priority rank; a lane groups keys in buckets of
about a minute and keeps only the earliest bucket loaded, so the cost of a pop
stays nearly flat from ten thousand to a million entries. Everything here is
private to the runner.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta

__all__ = ["INDEX_MASK", "DueQueue", "key_limit", "key_of"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_INDEX_BITS = 32
INDEX_MASK = (1 << _INDEX_BITS) - 1
_TIME_SHIFT = _INDEX_BITS + 2  # two bits of priority rank (0, 1, 2) under the time


def key_of(at: datetime, rank: int, index: int) -> int:
    return (((at - _EPOCH) // _MICROSECOND) << _TIME_SHIFT) | (rank << _INDEX_BITS) | index


def key_limit(now: datetime) -> int:
    """The largest key of an entry due at or before ``now``."""
    return ((((now - _EPOCH) // _MICROSECOND) + 1) << _TIME_SHIFT) - 1


_BUCKET_SHIFT = _TIME_SHIFT + 26  # buckets of 2**26 microseconds, about 67 seconds
_RANK_MASK = 3


class _Lane:
    """The keys of one priority rank, as a calendar queue.

    Keys fall into buckets of about a minute (their high bits); a heap orders the
    bucket ids, and later buckets are plain lists until their turn. The current
    (earliest) bucket is consumed as a sorted run - bucket lists stay sorted when
    keys arrive in order, as when contacts are loaded together - plus a heap for
    keys that came out of order. Every key of the current bucket is smaller than
    every key elsewhere in the lane, so the smaller of the run's next key and the
    heap's top is the lane's minimum.
    """

    __slots__ = ("_buckets", "_current_id", "_extra", "_ids", "_pos", "_run", "_unsorted")

    def __init__(self) -> None:
        self._buckets: dict[int, list[int]] = {}
        self._unsorted: set[int] = set()  # bucket ids whose list is not in key order
        self._ids: list[int] = []  # a heap of the ids in _buckets
        self._run: list[int] = []  # the current bucket's keys in order, from _pos on
        self._pos = 0
        self._extra: list[int] = []  # a heap: the current bucket's other keys
        self._current_id: int | None = None

    def push(self, key: int) -> None:
        """Add ``key`` to the lane."""
        bucket_id = key >> _BUCKET_SHIFT
        current_id = self._current_id
        if bucket_id == current_id:
            run = self._run
            if not run or key >= run[-1]:
                run.append(key)
            else:
                heapq.heappush(self._extra, key)
            return
        if current_id is not None and bucket_id < current_id:
            self._retire(current_id)
        bucket = self._buckets.get(bucket_id)
        if bucket is None:
            self._buckets[bucket_id] = [key]
            heapq.heappush(self._ids, bucket_id)
        else:
            if key < bucket[-1]:
                self._unsorted.add(bucket_id)
            bucket.append(key)

    def _retire(self, current_id: int) -> None:
        """Hand the current bucket back to the lists: a key came in before it."""
        rest = self._run[self._pos :]
        if self._extra:
            rest += self._extra
            self._unsorted.add(current_id)
        if rest:
            self._buckets[current_id] = rest
            heapq.heappush(self._ids, current_id)
        self._run, self._pos, self._extra, self._current_id = [], 0, [], None

    def peek(self) -> int | None:
        """The smallest key of the lane, or None when it is empty."""
        while True:
            run, pos, extra = self._run, self._pos, self._extra
            if pos < len(run):
                head = run[pos]
                return extra[0] if extra and extra[0] < head else head
            if extra:
                return extra[0]
            if not self._ids:
                self._run, self._pos, self._current_id = [], 0, None
                return None
            bucket_id = heapq.heappop(self._ids)
            bucket = self._buckets.pop(bucket_id)
            if bucket_id in self._unsorted:
                self._unsorted.discard(bucket_id)
                heapq.heapify(bucket)
                self._run, self._pos, self._extra = [], 0, bucket
            else:
                self._run, self._pos, self._extra = bucket, 0, []
            self._current_id = bucket_id

    def pop(self) -> None:
        """Drop the smallest key; the lane must not be empty."""
        run, pos, extra = self._run, self._pos, self._extra
        if pos >= len(run) and not extra:  # the current bucket is not loaded yet
            self.peek()
            run, pos, extra = self._run, self._pos, self._extra
        if pos < len(run) and not (extra and extra[0] < run[pos]):
            self._pos = pos + 1
        else:
            heapq.heappop(extra)


class DueQueue:
    """A min-priority queue of packed keys: one `_Lane` per priority rank.

    Popping takes the smallest of the lanes' heads, each cached until its lane
    changes. The lanes keep their current bucket small or in order, so a pop touches
    a few cache-warm objects rather than sifting through a heap of every entry: the
    cost per selected call stays nearly flat as campaigns grow.
    """

    __slots__ = ("_heads", "_lanes", "_next", "_stale")

    def __init__(self) -> None:
        self._lanes = (_Lane(), _Lane(), _Lane())
        self._heads: list[int | None] = [None, None, None]  # None: the lane is empty
        self._stale = [False, False, False]  # True: the head must be asked again
        self._next = -1  # the lane in which `peek` found the smallest key

    def push(self, key: int) -> None:
        """Add ``key`` to the lane of its priority rank."""
        rank = (key >> _INDEX_BITS) & _RANK_MASK
        self._lanes[rank].push(key)
        if not self._stale[rank]:
            head = self._heads[rank]
            if head is None or key < head:
                self._heads[rank] = key

    def peek(self) -> int | None:
        """The smallest key, or None when the queue is empty."""
        heads, stale = self._heads, self._stale
        best: int | None = None
        for rank in (0, 1, 2):
            if stale[rank]:
                heads[rank] = self._lanes[rank].peek()
                stale[rank] = False
            head = heads[rank]
            if head is not None and (best is None or head < best):
                best, self._next = head, rank
        return best

    def pop(self) -> None:
        """Drop the smallest key; call `peek` first (it must not be None)."""
        lane = self._next
        self._lanes[lane].pop()
        self._stale[lane] = True
