"""Strategies for the campaign's settings (`CampaignRules` and its WhatsApp and
conversion parts), analyses, the mergeable stats and the Exotel records."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..dialects.exotel import CallScheduleEvent, CampaignSnapshot, CampaignStatusEvent, Stats
from ..metrics import CampaignStats
from ..metrics.tables import CostAudit, CostRow, RetryRow, RetryTable, Summary
from ..models.analyses import Analysis, AnalysisType, Answer, AnswerValue, validate_answer
from ..policies.conversion import ConversionKind, ConversionRule
from ..policies.messaging import MessageTemplate, MessagingTier, WhatsAppSettings, WhatsAppStats
from ..policies.retry import MAX_WAIT, RetryCounter, RetryDecision
from ..policies.rules import CampaignRules
from ..statuses import CallStatus, CampaignStatus, Channel, ContactStatus
from ._campaigns import campaign_counts, goal_sets
from ._common import (
    DEFAULT_REGIONS,
    DEFAULT_TIMEZONES,
    _check_choices,
    _check_flag,
    _check_int,
    _check_regions,
    _check_span,
    _check_zones,
    _ids,
    _names,
    _seconds_between,
    _tags,
)
from ._policies import (
    billing_policies,
    compliance_policies,
    cycle_policies,
    pacing_policies,
    retry_policies,
    rotation_policies,
    schedules,
)
from ._records import calls, campaigns, contacts, phone_numbers

# --------------------------------------------------------------------------- WhatsApp


def message_templates(*, image_headers: bool = True) -> st.SearchStrategy[MessageTemplate]:
    """`MessageTemplate` records: a name, a language code or none and - with
    ``image_headers`` - sometimes an image header with its image reference.
    Shrinks towards a text template without a language."""
    _check_flag("image_headers", image_headers)

    @st.composite
    def build(draw: st.DrawFn) -> MessageTemplate:
        header = draw(st.booleans()) if image_headers else False
        return MessageTemplate(
            name=draw(_ids),
            language=draw(st.none() | st.sampled_from(["es_MX", "en_US", "pt_BR", "hi"])),
            image_header=header,
            image=f"https://example.com/{draw(_ids)}.png" if header else None,
        )

    return build()


def whatsapp_settings(*, consent: bool | None = True) -> st.SearchStrategy[WhatsAppSettings]:
    """`WhatsAppSettings`: one or two distinct templates, an optional daily limit and
    response window (1 minute to 30 days); consent given (``consent`` True, the
    default, as a runner requires), refused (False) or either (None)."""
    if consent is not None and type(consent) is not bool:
        raise InvalidArgument(f"consent must be True, False or None; got {consent!r}")
    return st.builds(
        WhatsAppSettings,
        templates=st.lists(
            message_templates(), min_size=1, max_size=2, unique_by=lambda t: (t.name, t.language)
        ).map(tuple),
        daily_limit=st.none() | st.integers(1, 10_000),
        consent=st.booleans() if consent is None else st.just(consent),
        response_window=st.none() | st.integers(60, 30 * 86400).map(lambda s: timedelta(seconds=s)),
    )


def whatsapp_stats(*, max_value: int = 100_000) -> st.SearchStrategy[WhatsAppStats]:
    """`WhatsAppStats` counts, each up to ``max_value``. Shrinks towards no contacts."""
    _check_int("max_value", max_value, 0)
    count = st.integers(0, max_value)
    return st.builds(
        WhatsAppStats,
        sent=count,
        delivered=count,
        read=count,
        accepted=count,
        rejected=count,
        failed=count,
        converted=count,
    )


def conversion_rules(
    *, kinds: Collection[ConversionKind] = tuple(ConversionKind)
) -> st.SearchStrategy[ConversionRule]:
    """`ConversionRule` records of the given ``kinds``: the primary goal, a tag or an
    extracted field (names every export accepts). Shrinks towards the primary goal."""
    chosen = _check_choices("kinds", kinds, tuple(ConversionKind))
    options = {
        ConversionKind.PRIMARY_GOAL: st.just(ConversionRule.primary_goal()),
        ConversionKind.TAG: _tags.map(ConversionRule.on_tag),
        ConversionKind.EXTRACTED_FIELD: _tags.map(ConversionRule.on_field),
    }
    ordered = sorted(chosen, key=list(ConversionKind).index)
    return st.one_of([options[kind] for kind in ordered])


# --------------------------------------------------------------------------- rules


def campaign_rules(
    *,
    channels: Collection[Channel] = (Channel.CALL, Channel.WHATSAPP),
    timezones: Collection[str] = DEFAULT_TIMEZONES,
    regions: Sequence[str] = DEFAULT_REGIONS,
) -> st.SearchStrategy[CampaignRules]:
    """`CampaignRules` a campaign on one of ``channels`` runs with, as `setup`
    accepts them for that channel: a call campaign's rules have no WhatsApp
    settings or tier; a WhatsApp campaign's have settings with consent and no
    cycles. Every other policy is drawn or left None; a primary-goal conversion
    rule comes with its goals; the schedule is in one of ``timezones``.

    Shrinks towards ``CampaignRules()``. Raises `InvalidArgument` for an empty
    channel list, unknown time zones or bad regions.
    """
    chosen = _check_choices("channels", channels, tuple(Channel))
    zones = _check_zones("timezones", timezones)
    places = _check_regions(regions)

    @st.composite
    def build(draw: st.DrawFn) -> CampaignRules:
        channel = draw(st.sampled_from(sorted(chosen, key=list(Channel).index)))
        whatsapp = channel is Channel.WHATSAPP
        conversion = draw(st.none() | conversion_rules())
        primary = conversion is not None and conversion.kind is ConversionKind.PRIMARY_GOAL
        return CampaignRules(
            retry=draw(retry_policies(max_wait=timedelta(days=2))),
            cycles=None if whatsapp else draw(st.none() | cycle_policies()),
            schedule=draw(st.none() | schedules(timezones=zones)),
            pacing=draw(st.none() | pacing_policies()),
            rotation=draw(st.none() | rotation_policies()),
            compliance=draw(st.none() | compliance_policies(regions=places)),
            do_not_call=draw(st.frozensets(phone_numbers(regions=places), max_size=2)),
            whatsapp=draw(whatsapp_settings()) if whatsapp else None,
            tier=draw(st.none() | st.sampled_from(MessagingTier)) if whatsapp else None,
            conversion=conversion,
            goals=draw(goal_sets() if primary else st.none() | goal_sets()),
            billing=draw(st.none() | billing_policies()),
        )

    return st.one_of(st.just(CampaignRules()), build()) if Channel.CALL in chosen else build()


# --------------------------------------------------------------------------- analyses


def analyses(
    *, types: Collection[AnalysisType] = tuple(AnalysisType), evaluated: bool = False
) -> st.SearchStrategy[Analysis]:
    """`Analysis` questions of the given ``types``: choice questions with 1-4 distinct
    options, a rating scale, active or not and archived or not (only evaluated
    ones - active, not archived - with ``evaluated``)."""
    chosen = _check_choices("types", types, tuple(AnalysisType))
    _check_flag("evaluated", evaluated)

    @st.composite
    def build(draw: st.DrawFn) -> Analysis:
        kind = draw(st.sampled_from(sorted(chosen, key=list(AnalysisType).index)))
        options = (
            tuple(draw(st.lists(_tags, min_size=1, max_size=4, unique=True)))
            if kind.has_options
            else ()
        )
        low = draw(st.integers(0, 5))
        return Analysis(
            id=draw(_ids),
            name=draw(_names.filter(str.strip)),
            type=kind,
            description=draw(_names),
            options=options,
            scale_min=low,
            scale_max=draw(st.integers(low + 1, 10)),
            active=True if evaluated else draw(st.booleans()),
            archived=False if evaluated else draw(st.booleans()),
        )

    return build()


@st.composite
def _answer(draw: st.DrawFn, analysis: Analysis) -> Answer:
    kind = analysis.type
    value: AnswerValue
    if kind is AnalysisType.YES_NO:
        value = draw(st.booleans())
    elif kind is AnalysisType.SINGLE_CHOICE:
        value = draw(st.sampled_from(analysis.options))
    elif kind is AnalysisType.MULTIPLE_CHOICE:
        value = tuple(draw(st.lists(st.sampled_from(analysis.options), min_size=1, unique=True)))
    elif kind is AnalysisType.RATING:
        value = draw(st.integers(analysis.scale_min, analysis.scale_max))
    elif kind is AnalysisType.OPEN:
        value = draw(_names)
    else:
        value = draw(st.booleans() | st.integers(-(10**6), 10**6) | _names)
    return validate_answer(analysis, value, conversation_id=draw(st.none() | _ids))


def answers(*, types: Collection[AnalysisType] = tuple(AnalysisType)) -> st.SearchStrategy[Answer]:
    """`Answer` records that `validate_answer` accepts for an evaluated `analyses`
    question of one of ``types``."""
    return analyses(types=types, evaluated=True).flatmap(_answer)


# --------------------------------------------------------------------------- stats


def campaign_stats(
    *, max_calls: int = 20, max_contacts: int = 20
) -> st.SearchStrategy[CampaignStats]:
    """`CampaignStats` accumulated from up to ``max_calls`` `calls` and
    ``max_contacts`` `contacts` (any status) with `CampaignStats.from_records`, so
    every count is one a real campaign can have. Shrinks towards ``CampaignStats()``."""
    _check_int("max_calls", max_calls, 0)
    _check_int("max_contacts", max_contacts, 0)
    return st.builds(
        lambda c, k: CampaignStats.from_records(calls=c, contacts=k),
        st.lists(calls(), max_size=max_calls),
        st.lists(contacts(statuses=tuple(ContactStatus)), max_size=max_contacts),
    )


def summaries() -> st.SearchStrategy[Summary]:
    """`Summary` tables of `campaign_stats` (``stats.summary()``)."""
    return campaign_stats().map(CampaignStats.summary)


# The tables below are results: drawn by computing them from `campaign_stats`, so each
# holds figures the library can produce (no NaN cost, no connect count above a total).


def retry_tables() -> st.SearchStrategy[RetryTable]:
    """Exotel's `RetryTable` of `campaign_stats` (``stats.retry_effectiveness()``)."""
    return campaign_stats().map(lambda stats: stats.retry_effectiveness())


def retry_rows() -> st.SearchStrategy[RetryRow]:
    """The rows (and totals) of `retry_tables`."""
    return retry_tables().flatmap(lambda table: st.sampled_from((table.total, *table.rows)))


def cost_audits() -> st.SearchStrategy[CostAudit]:
    """`CostAudit` tables of `campaign_stats` under a `billing_policies` policy."""
    return st.builds(
        lambda stats, billing: stats.cost_audit(billing), campaign_stats(), billing_policies()
    )


def cost_rows() -> st.SearchStrategy[CostRow]:
    """The rows (and totals) of `cost_audits`."""
    return cost_audits().flatmap(lambda table: st.sampled_from((table.total, *table.rows)))


def retry_decisions(*, max_wait: timedelta = timedelta(days=7)) -> st.SearchStrategy[RetryDecision]:
    """`RetryDecision` records as `RetryPolicy.decide` grants them: a counter, a wait up
    to ``max_wait`` in whole seconds and the retry's number in its cycle (from 1)."""
    _check_span("max_wait", max_wait, timedelta(0), MAX_WAIT)
    return st.builds(
        RetryDecision,
        counter=st.sampled_from(RetryCounter),
        wait=_seconds_between(timedelta(0), max_wait),
        number=st.integers(1, 10),
    )


# --------------------------------------------------------------------------- Exotel


def exotel_stats(*, max_value: int = 100_000) -> st.SearchStrategy[Stats]:
    """Exotel's campaign `~campaignkit.dialects.exotel.Stats`: the six parts of
    `campaign_counts` and their total, some absent (a status webhook carries only
    ``created``, ``completed`` and ``failed``)."""
    _check_int("max_value", max_value, 0)

    @st.composite
    def build(draw: st.DrawFn) -> Stats:
        counts: dict[str, Any] = draw(campaign_counts(max_value=max_value)).to_dict()
        kept = draw(st.sets(st.sampled_from(sorted(counts))))
        return Stats(**{k: v for k, v in counts.items() if k in kept})

    return build()


def exotel_records(
    kind: type[Stats | CampaignSnapshot | CampaignStatusEvent | CallScheduleEvent],
) -> st.SearchStrategy[Stats | CampaignSnapshot | CampaignStatusEvent | CallScheduleEvent]:
    """Records of `campaignkit.dialects.exotel` of type ``kind``: `exotel_stats`, a
    campaign snapshot, a campaign-status callback or a call-schedule callback (a
    number, a final call status, its attempts). Raises `InvalidArgument` for
    another type."""
    if kind is Stats:
        return exotel_stats()
    if kind is CampaignSnapshot:
        return st.builds(CampaignSnapshot, campaign=campaigns(), stats=exotel_stats())
    if kind is CampaignStatusEvent:
        return st.builds(
            CampaignStatusEvent,
            campaign_id=_ids,
            status=st.sampled_from(CampaignStatus),
            stats=exotel_stats(),
        )
    if kind is CallScheduleEvent:
        return st.builds(
            CallScheduleEvent,
            to=phone_numbers(regions=("IN",)),
            final_status=st.sampled_from(
                [CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED]
            ),
            attempts=st.integers(0, 10),
            campaign_id=st.none() | _ids,
        )
    raise InvalidArgument(f"{kind!r} is not a record of campaignkit.dialects.exotel")
