"""The outcome model: what a dialled call does, by attempt, local hour and weekday.

`OutcomeModel` is the simulator's default `OutcomeSource`; `OutcomeModel.fit`
estimates one from real call records (any dialect's `Call` records).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import attrs

from .._fields import JSONObject
from .._fields import zone as lookup_zone
from .._frames import frame
from ..errors import InvalidConfig, InvalidInput, shown
from ..metrics import WEEKDAYS
from ..models.records import Call
from ..policies.schedule import contact_time_zones
from ..statuses import AnsweredBy, Outcome

__all__ = ["OUTCOME_KINDS", "OutcomeDraw", "OutcomeModel", "OutcomeSource"]

OUTCOME_KINDS = ("human", "voicemail", "busy", "no_answer", "failed")
"""The five outcomes the model draws, in the order of its tables' columns."""


@attrs.frozen
class OutcomeDraw:
    """One simulated attempt's result: what happened, how long it lasted, who answered."""

    outcome: Outcome
    duration: int
    """Seconds from answer to hang-up (0 when nothing connected)."""
    answered_by: AnsweredBy | None
    ring_seconds: int
    """Seconds the phone rang (or the attempt took) before the outcome."""


class OutcomeSource(Protocol):
    """Anything that can draw an attempt's outcome: plug your own model in here."""

    def draw(self, rng: random.Random, *, attempt: int, local_time: datetime) -> OutcomeDraw:
        """The result of attempt number ``attempt`` placed at the callee's ``local_time``."""
        ...


def _probability(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise InvalidConfig(name, "a probability from 0 to 1", value)


# Relative answer propensity by local hour: low at dawn and late evening, peaks
# late morning and early evening. Normalised so business hours average 1.0.
_HOURS = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.6, 0.8, 0.95, 1.1, 1.15,
    1.0, 0.9, 0.95, 1.0, 1.1, 1.15, 1.1, 0.95, 0.8, 0.6, 0.4, 0.3,
)  # fmt: skip
_WEEKDAYS = (1.0, 1.02, 1.02, 1.0, 0.96, 0.8, 0.7)  # Monday .. Sunday

_BUSINESS_HOURS = range(9, 18)  # 09:00-18:00, the weights' reference
_BUSINESS_DAYS = range(5)  # Monday to Friday
_CAP = 0.95  # no slot connects surely: numbers go dead, people step out


def _business_mean(hours: Sequence[float], weekdays: Sequence[float]) -> float:
    day = sum(hours[h] for h in _BUSINESS_HOURS) / len(_BUSINESS_HOURS)
    week = sum(weekdays[d] for d in _BUSINESS_DAYS) / len(_BUSINESS_DAYS)
    return day * week


@attrs.frozen
class OutcomeModel:
    """A parametric outcome model: connect probability by attempt, hour and weekday.

    The chance that attempt *n* connects is ``connect_by_attempt[n-1]`` (past the
    end of the tuple, the last value times ``later_decay`` per extra attempt),
    scaled by the callee's local hour and weekday weights, relative to the
    average weekday business hour (9:00-18:00), and capped at 0.95. A connected
    call is a person with probability ``human_share`` and voicemail otherwise;
    a call that does not connect is busy, unanswered or failed in the given
    proportions. Build one by hand, or estimate one from your own call records
    with `fit`. Raises `InvalidConfig` for probabilities outside 0..1 or
    weights of the wrong length.
    """

    connect_by_attempt: tuple[float, ...] = (0.60, 0.25, 0.17)
    later_decay: float = 0.7
    human_share: float = 0.8
    busy_share: float = 0.2
    no_answer_share: float = 0.65
    failed_share: float = 0.15
    hour_weights: tuple[float, ...] = _HOURS
    weekday_weights: tuple[float, ...] = _WEEKDAYS
    human_seconds: tuple[int, int] = (20, 240)
    """Uniform range of a conversation's length."""
    voicemail_seconds: tuple[int, int] = (8, 40)
    fitted_calls: int = 0
    """How many call records `fit` estimated the model from (0 for a model set by hand)."""

    def __attrs_post_init__(self) -> None:
        if not self.connect_by_attempt:
            raise InvalidConfig("connect_by_attempt", "at least one probability", ())
        for value in self.connect_by_attempt:
            _probability("connect_by_attempt", value)
        for name in ("later_decay", "human_share", "busy_share", "no_answer_share", "failed_share"):
            _probability(name, getattr(self, name))
        if abs(self.busy_share + self.no_answer_share + self.failed_share - 1.0) > 1e-9:
            raise InvalidConfig(
                "busy_share + no_answer_share + failed_share",
                "1.0",
                self.busy_share + self.no_answer_share + self.failed_share,
            )
        if len(self.hour_weights) != 24 or min(self.hour_weights) < 0:
            raise InvalidConfig("hour_weights", "24 non-negative weights", self.hour_weights)
        if len(self.weekday_weights) != 7 or min(self.weekday_weights) < 0:
            raise InvalidConfig("weekday_weights", "7 non-negative weights", self.weekday_weights)
        if _business_mean(self.hour_weights, self.weekday_weights) <= 0:
            raise InvalidConfig(
                "hour_weights",
                "some weight above 0 on weekdays 09:00-18:00 (the reference)",
                self.hour_weights,
            )
        for name in ("human_seconds", "voicemail_seconds"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise InvalidConfig(name, "a range 0 <= low <= high", (low, high))
        if type(self.fitted_calls) is not int or self.fitted_calls < 0:
            raise InvalidConfig("fitted_calls", "an integer >= 0", self.fitted_calls)

    # ------------------------------------------------------------------ reading

    def base_probability(self, attempt: int) -> float:
        """Attempt ``attempt``'s connect chance at the average weekday business hour
        (before the 0.95 cap); raises `InvalidConfig` for ``attempt < 1``."""
        if type(attempt) is not int or attempt < 1:
            raise InvalidConfig("attempt", "an integer >= 1", attempt)
        table = self.connect_by_attempt
        if attempt <= len(table):
            return table[attempt - 1]
        return table[-1] * self.later_decay ** (attempt - len(table))

    def connect_probability(self, attempt: int, local_time: datetime) -> float:
        """The chance that attempt number ``attempt`` placed at ``local_time`` connects."""
        return self._connect(attempt, local_time.weekday(), local_time.hour)

    def _connect(self, attempt: int, weekday: int, hour: int) -> float:
        scale = (
            self.hour_weights[hour]
            * self.weekday_weights[weekday]
            / _business_mean(self.hour_weights, self.weekday_weights)
        )
        return min(_CAP, self.base_probability(attempt) * scale)

    def probabilities(self, attempt: int, local_time: datetime) -> dict[str, float]:
        """The chance of each outcome (`OUTCOME_KINDS`: human, voicemail, busy,
        no_answer, failed) for attempt ``attempt`` at ``local_time``; they sum to 1."""
        return self._split(self.connect_probability(attempt, local_time))

    def _split(self, connect: float) -> dict[str, float]:
        miss = 1.0 - connect
        return {
            "human": connect * self.human_share,
            "voicemail": connect * (1.0 - self.human_share),
            "busy": miss * self.busy_share,
            "no_answer": miss * self.no_answer_share,
            "failed": miss * self.failed_share,
        }

    def draw(self, rng: random.Random, *, attempt: int, local_time: datetime) -> OutcomeDraw:
        """Draw one attempt's result with ``rng`` (three draws per attempt, always)."""
        connect, kind, length = rng.random(), rng.random(), rng.random()
        if connect < self.connect_probability(attempt, local_time):
            ring = 3 + int(length * 17)
            if kind < self.human_share:
                low, high = self.human_seconds
                return OutcomeDraw(
                    Outcome.HUMAN_CONVERSATION,
                    low + int(length * (high - low)),
                    AnsweredBy.HUMAN,
                    ring,
                )
            low, high = self.voicemail_seconds
            return OutcomeDraw(
                Outcome.VOICEMAIL, low + int(length * (high - low)), AnsweredBy.MACHINE, ring
            )
        if kind < self.busy_share:
            return OutcomeDraw(Outcome.BUSY, 0, None, 2)
        if kind < self.busy_share + self.no_answer_share:
            return OutcomeDraw(Outcome.NO_ANSWER, 0, None, 30)
        return OutcomeDraw(Outcome.FAILED, 0, None, 1)

    # ------------------------------------------------------------------ tables

    def to_records(self, by: str = "attempt", *, attempt: int = 1) -> list[dict[str, float | str]]:
        """The model's figures as rows of plain numbers, for reading or ``pandas``.

        ``by="attempt"``: one row per attempt (the fitted ones and two more),
        each outcome's chance at the average weekday business hour.
        ``by="hour"`` / ``by="weekday"``: the weight and each outcome's chance
        for ``attempt`` in that local hour (averaged over Monday-Friday) or on
        that weekday (averaged over 09:00-18:00). ``by="slot"``: 168 rows,
        weekday and hour. Chances are floats in [0, 1]; the five of a row sum to 1.
        Raises `InvalidConfig` for another ``by`` or ``attempt < 1``.
        """
        self.base_probability(attempt)  # validates attempt
        if by == "attempt":
            rows: list[dict[str, float | str]] = []
            for n in range(1, len(self.connect_by_attempt) + 3):
                connect = min(_CAP, self.base_probability(n))
                rows.append({"attempt": n, "connect": connect, **self._split(connect)})
            return rows
        if by == "hour":
            return [
                {
                    "hour": h,
                    "weight": self.hour_weights[h],
                    **self._mean_split(attempt, _BUSINESS_DAYS, (h,)),
                }
                for h in range(24)
            ]
        if by == "weekday":
            return [
                {
                    "weekday": WEEKDAYS[d],
                    "weight": self.weekday_weights[d],
                    **self._mean_split(attempt, (d,), _BUSINESS_HOURS),
                }
                for d in range(7)
            ]
        if by == "slot":
            return [
                {
                    "weekday": WEEKDAYS[d],
                    "hour": h,
                    "connect": (p := self._connect(attempt, d, h)),
                    **self._split(p),
                }
                for d in range(7)
                for h in range(24)
            ]
        raise InvalidConfig("by", "'attempt', 'hour', 'weekday' or 'slot'", by)

    def _mean_split(
        self, attempt: int, days: Iterable[int], hours: Iterable[int]
    ) -> dict[str, float]:
        chances = [self._connect(attempt, d, h) for d in days for h in hours]
        connect = sum(chances) / len(chances)
        return {"connect": connect, **self._split(connect)}

    def to_frame(self, by: str = "attempt", *, attempt: int = 1) -> Any:
        """`to_records` as a ``pandas.DataFrame`` (float columns for the chances).

        Raises `MissingDependency` without pandas, `InvalidConfig` as `to_records`.
        """
        return frame(self.to_records(by, attempt=attempt))

    def to_dict(self) -> JSONObject:
        """The parameters as JSON types; `from_dict` reads them back (save a fitted model)."""
        return {
            a.name: list(value) if isinstance(value, tuple) else value
            for a in attrs.fields(type(self))
            for value in (getattr(self, a.name),)
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> OutcomeModel:
        """A model from `to_dict` output; missing keys take the defaults.

        Raises `InvalidInput` for an unknown key, `InvalidConfig` for a bad value.
        """
        if not isinstance(data, Mapping):
            raise InvalidInput(f"an OutcomeModel needs a mapping; got {shown(data)}")
        names = {a.name for a in attrs.fields(cls)}
        unknown = sorted(str(k) for k in data if k not in names)
        if unknown:
            raise InvalidInput(f"unknown OutcomeModel keys: {', '.join(unknown)}")
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
        }
        return cls(**values)

    # ------------------------------------------------------------------ fitting

    @classmethod
    def fit(
        cls,
        calls: Iterable[Call],
        *,
        timezone: str = "UTC",
        by_number: bool = True,
        smoothing: float = 20.0,
        min_calls: int = 30,
        prior: OutcomeModel | None = None,
    ) -> OutcomeModel:
        """Estimate an outcome model from real call records (any dialect's `Call`s).

        Each call counts at the local weekday and hour it was placed
        (``created_at``, else ``started_at`` or ``ended_at``): in the callee's
        time zone from its number when ``by_number`` (the simulator's rule),
        else - or when the number says nothing - in ``timezone`` (pass the
        campaign's). Its result is one of `OUTCOME_KINDS`: a person, a machine
        or other connected call without a person (voicemail), busy (and
        rejected), no answer, failed; calls still live or cancelled are skipped.

        The connect chance is fitted as attempt x hour x weekday (the model's
        form) by matching, in every attempt, hour and weekday, the expected
        connects to the observed ones. Where data is thin it is smoothed:

        * each hour's and weekday's weight is pulled toward the overall rate as
          if it had ``smoothing`` more calls at that rate (an hour never called
          gets the overall rate);
        * attempts with at least ``min_calls`` calls (and every attempt before
          them) get their own rate; later attempts are pooled into
          ``later_decay``, the factor per extra attempt that matches their
          connects (the ``prior``'s decay when there are none);
        * the person/machine and busy/no-answer/failed splits are shrunk toward
          ``prior`` (default `OutcomeModel()`) with ``smoothing`` pseudo-calls;
          the uniform duration ranges match each outcome's mean and spread.

        ``fitted_calls`` records how many calls were used. Raises `InvalidInput`
        for a record that is not a `Call`, no usable call or an unknown
        ``timezone``; `InvalidConfig` for a bad option.
        """
        if isinstance(smoothing, bool) or not isinstance(smoothing, int | float):
            raise InvalidConfig("smoothing", "a number >= 0", smoothing)
        if not 0 <= smoothing < math.inf:
            raise InvalidConfig("smoothing", "a number >= 0", smoothing)
        if type(min_calls) is not int or min_calls < 1:
            raise InvalidConfig("min_calls", "an integer >= 1", min_calls)
        prior = prior if prior is not None else cls()
        if not isinstance(prior, OutcomeModel):
            raise InvalidConfig("prior", "an OutcomeModel", prior)
        tally = _Tally.of(calls, timezone=timezone, by_number=by_number)
        if not tally.used:
            raise InvalidInput(
                f"OutcomeModel.fit needs finished calls; none of {tally.seen:,} could be used"
            )
        connect, decay, hours, weekdays = _fit_connect(tally, float(smoothing), min_calls, prior)
        connected = tally.kinds["human"] + tally.kinds["voicemail"]
        human = _shrunk(tally.kinds["human"], connected, prior.human_share, smoothing)
        missed = tally.used - connected
        busy = _shrunk(tally.kinds["busy"], missed, prior.busy_share, smoothing)
        no_answer = _shrunk(tally.kinds["no_answer"], missed, prior.no_answer_share, smoothing)
        failed = _shrunk(tally.kinds["failed"], missed, prior.failed_share, smoothing)
        total = busy + no_answer + failed
        busy, no_answer = busy / total, no_answer / total
        return cls(
            connect_by_attempt=connect,
            later_decay=decay,
            human_share=human,
            busy_share=busy,
            no_answer_share=no_answer,
            failed_share=max(0.0, 1.0 - busy - no_answer),
            hour_weights=hours,
            weekday_weights=weekdays,
            human_seconds=_uniform_range(tally.seconds["human"], prior.human_seconds),
            voicemail_seconds=_uniform_range(tally.seconds["voicemail"], prior.voicemail_seconds),
            fitted_calls=tally.used,
        )


# --------------------------------------------------------------------------- fitting


_KIND_OF = {
    Outcome.HUMAN_CONVERSATION: "human",
    Outcome.CALLBACK_REQUESTED: "human",
    Outcome.HUNG_UP: "human",
    Outcome.NO_CONVERSATION: "voicemail",
    Outcome.VOICEMAIL: "voicemail",
    Outcome.BUSY: "busy",
    # A declined call reaches the caller as busy on most carriers (Twilio reports it so).
    Outcome.REJECTED: "busy",
    Outcome.NO_ANSWER: "no_answer",
    Outcome.FAILED: "failed",
}
_ZONE_PREFIX = 7  # "+" and six digits: country and area code share a zone lookup


@attrs.define
class _Tally:
    """Calls counted by (attempt, weekday, hour): [calls, connected]; kinds; durations."""

    cells: dict[tuple[int, int, int], list[int]] = attrs.field(factory=dict)
    kinds: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(OUTCOME_KINDS, 0))
    seconds: dict[str, list[int]] = attrs.field(factory=lambda: {"human": [], "voicemail": []})
    seen: int = 0
    used: int = 0

    @classmethod
    def of(cls, calls: Iterable[Call], *, timezone: str, by_number: bool) -> _Tally:
        fallback = lookup_zone(timezone, "timezone")
        zones: dict[str, tzinfo] = {}
        tally = cls()
        for call in calls:
            tally.seen += 1
            if not isinstance(call, Call):
                raise InvalidInput(f"OutcomeModel.fit needs Call records; got {shown(call)}")
            kind = _KIND_OF.get(call.result) if call.result is not None else None
            when = call.created_at or call.started_at or call.ended_at
            if kind is None or when is None:
                continue
            zone: tzinfo = fallback
            if by_number:
                prefix = call.to[:_ZONE_PREFIX]
                found = zones.get(prefix)
                if found is None:
                    names = contact_time_zones(call.to, fallback=timezone)
                    found = zones[prefix] = ZoneInfo(names[0]) if names else fallback
                zone = found
            local = when.astimezone(zone)
            cell = tally.cells.setdefault((call.attempt, local.weekday(), local.hour), [0, 0])
            cell[0] += 1
            if kind in ("human", "voicemail"):
                cell[1] += 1
                if call.duration > 0:
                    tally.seconds[kind].append(call.duration)
            tally.kinds[kind] += 1
            tally.used += 1
        return tally


def _shrunk(hits: int, total: int, prior: float, weight: float) -> float:
    """hits / total pulled toward ``prior`` by ``weight`` pseudo-observations."""
    if total + weight == 0:
        return prior
    return (hits + weight * prior) / (total + weight)


def _fit_connect(
    tally: _Tally, smoothing: float, min_calls: int, prior: OutcomeModel
) -> tuple[tuple[float, ...], float, tuple[float, ...], tuple[float, ...]]:
    """Connect chance = rate[attempt] x hour weight x weekday weight, by iterative
    proportional fitting: each factor in turn is set so that expected connects
    equal observed connects over the calls it touches (the estimating equations of
    a multiplicative model; one pass would do if calls were spread evenly)."""
    per_attempt: dict[int, int] = {}
    for (attempt, _, _), (n, _) in tally.cells.items():
        per_attempt[attempt] = per_attempt.get(attempt, 0) + n
    # Attempts 1..kept have their own rate; kept stops at the first thin attempt.
    kept = 0
    while per_attempt.get(kept + 1, 0) >= min_calls:
        kept += 1
    kept = max(kept, 1)
    cells = [(a, d, h, n, k) for (a, d, h), (n, k) in tally.cells.items()]
    total_n = sum(c[3] for c in cells)
    total_k = sum(c[4] for c in cells)
    pseudo = smoothing * (total_k / total_n)  # `smoothing` calls at the overall rate
    rates = [total_k / total_n] * kept
    decay = prior.later_decay
    hours = [1.0] * 24
    days = [1.0] * 7

    def base(attempt: int) -> float:
        if attempt <= kept:
            return rates[attempt - 1]
        return rates[-1] * decay ** (attempt - kept)

    for _ in range(200):
        before = (*rates, decay, *hours, *days)
        exposure = [0.0] * kept
        hits = [0] * kept
        for a, d, h, n, k in cells:
            if a <= kept:
                exposure[a - 1] += n * hours[h] * days[d]
                hits[a - 1] += k
        rates = [min(1.0, k / e) if e else 0.0 for k, e in zip(hits, exposure, strict=True)]
        decay = _fit_decay(cells, kept, rates[-1], hours, days, decay)
        hour_e = [0.0] * 24
        hour_k = [0] * 24
        for a, d, h, n, k in cells:
            hour_e[h] += n * base(a) * days[d]
            hour_k[h] += k
        hours = [_ratio(k, e, pseudo) for k, e in zip(hour_k, hour_e, strict=True)]
        day_e = [0.0] * 7
        day_k = [0] * 7
        for a, d, h, n, k in cells:
            day_e[d] += n * base(a) * hours[h]
            day_k[d] += k
        days = [_ratio(k, e, pseudo) for k, e in zip(day_k, day_e, strict=True)]
        after = (*rates, decay, *hours, *days)
        if max(abs(x - y) for x, y in zip(before, after, strict=True)) < 1e-10:
            break
    # The weights are relative to the average weekday business hour (the model's
    # reference): rescale them so, moving the level into the attempt rates.
    hour_mean = sum(hours[h] for h in _BUSINESS_HOURS) / len(_BUSINESS_HOURS)
    day_mean = sum(days[d] for d in _BUSINESS_DAYS) / len(_BUSINESS_DAYS)
    if hour_mean > 0 and day_mean > 0:
        hours = [w / hour_mean for w in hours]
        days = [w / day_mean for w in days]
        # A rate above 1 would only say "capped at 0.95 at the reference hour".
        rates = [min(1.0, r * hour_mean * day_mean) for r in rates]
    return tuple(rates), decay, tuple(hours), tuple(days)


def _ratio(hits: int, exposure: float, pseudo: float) -> float:
    if exposure + pseudo == 0:
        return 1.0
    return (hits + pseudo) / (exposure + pseudo)


def _fit_decay(
    cells: Sequence[tuple[int, int, int, int, int]],
    kept: int,
    last: float,
    hours: Sequence[float],
    days: Sequence[float],
    default: float,
) -> float:
    """The factor per attempt past ``kept`` whose expected connects match the observed
    ones (bisection: the expectation grows with the factor); ``default`` with no data."""
    tail = [(a - kept, n * last * hours[h] * days[d], k) for a, d, h, n, k in cells if a > kept]
    observed = sum(k for _, _, k in tail)
    if not tail or last == 0:
        return default

    def expected(factor: float) -> float:
        return sum(e * factor**steps for steps, e, _ in tail)

    if expected(1.0) <= observed:
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if expected(middle) < observed:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _uniform_range(seconds: Sequence[int], default: tuple[int, int]) -> tuple[int, int]:
    """The uniform range with the sample's mean and standard deviation (mean +- sd x sqrt 3),
    kept within the observed extremes; ``default`` for fewer than two durations."""
    if len(seconds) < 2:
        return default
    mean = sum(seconds) / len(seconds)
    sd = math.sqrt(sum((s - mean) ** 2 for s in seconds) / (len(seconds) - 1))
    half = sd * math.sqrt(3)
    low = max(min(seconds), round(mean - half), 0)
    high = min(max(seconds), round(mean + half))
    return (low, max(low, high))
