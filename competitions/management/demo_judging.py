"""The judging half of the demo (``seed_demo``): two rounds with their rubrics and a panel of four judges, and, with
``seed_demo --judging``, the competition moved past its deadline with the preliminary round open, assigned, and
scored by every judge but the demo judge, whose queue is left to try.

Everything goes through the judging services, as the organiser console would.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from competitions.management.demo_accounts import Person
from competitions.models import Competition, Round, ScoreSheet
from competitions.services import assignment, judging


@dataclass(frozen=True)
class CriterionPlan:
    name: str
    name_zh: str
    guidance: str
    guidance_zh: str
    weight: str
    comment_required: bool = False


RUBRIC = [
    CriterionPlan(
        "Creativity",
        "创意",
        "How fresh is the idea? Does the scene show something we have not seen before?",
        "创意是否新颖？场景是否展示了前所未见的内容？",
        "30",
    ),
    CriterionPlan(
        "Scenario and storytelling",
        "场景与叙事",
        "Does the scene tell the story of its track: who uses it, for what, and how does it flow?",
        "场景是否讲述了赛道的故事：谁在使用、用来做什么、如何展开？",
        "25",
    ),
    CriterionPlan(
        "Technical quality",
        "技术质量",
        "Clean geometry, sensible materials and textures, a scene that loads fast and looks right.",
        "几何整洁、材质与贴图合理、加载迅速、显示正确。",
        "20",
    ),
    CriterionPlan(
        "Practical value",
        "应用价值",
        "Could this be built and used? Is the benefit to its users clear?",
        "方案能否落地使用？对用户的价值是否清晰？",
        "15",
    ),
    CriterionPlan(
        "Presentation",
        "展示效果",
        "Lighting, composition and the description: does the entry present itself well? Say what would help most.",
        "灯光、构图与说明：作品展示是否到位？请写下最有帮助的建议。",
        "10",
        comment_required=True,
    ),
]


# The demo judge logs in; the others score in the judging phase. Professor Chen works at Tongji University, as two
# members of Huangpu Digital Twins do: the conflict is found on its own and Chen is never assigned their entries.
DEMO_JUDGE = Person("judge@example.com", "孙立 Sun Li", "Shanghai University", role="judge")
PANEL = [
    DEMO_JUDGE,
    Person("maria.rossi@example.org", "Maria Rossi", "Politecnico di Torino", role="judge"),
    Person("kenji.sato@example.org", "佐藤健二 Kenji Sato", "Keio University", role="judge"),
    Person("chen.hua@example.org", "陈华 Chen Hua", "Tongji University", role="judge"),
]


def create_rounds(competition: Competition, organiser: User) -> list[Round]:
    """The online preliminary (blind, three judges per entry, the top three of each track advance) and the final
    (open, every judge, a shortlist chosen by the organisers), inside the competition's judging window."""
    starts, ends = competition.judging_starts_at, competition.judging_ends_at
    middle = starts + (ends - starts) / 2
    preliminary = judging.round_create(
        competition=competition,
        actor=organiser,
        name="Online preliminary",
        name_zh="线上初赛",
        position=1,
        opens_at=starts,
        closes_at=middle,
        blind=Round.Blind.ALWAYS,
        judges_per_entry=3,
        advancement=Round.Advancement.TOP_N,
        advance_count=3,
        method=Round.Method.CALIBRATED,
    )
    final = judging.round_create(
        competition=competition,
        actor=organiser,
        name="Final",
        name_zh="决赛",
        position=2,
        opens_at=middle,
        closes_at=ends,
        blind=Round.Blind.NEVER,
        judges_per_entry=4,
        advancement=Round.Advancement.MANUAL,
        advance_count=0,
        method=Round.Method.CALIBRATED,
    )
    for round_ in (preliminary, final):
        for position, plan in enumerate(RUBRIC, start=1):
            judging.criterion_create(
                round=round_,
                actor=organiser,
                name=plan.name,
                name_zh=plan.name_zh,
                guidance=plan.guidance,
                guidance_zh=plan.guidance_zh,
                weight=Decimal(plan.weight),
                scale_min=Decimal("0"),
                scale_max=Decimal("10"),
                step=Decimal("0.5"),
                comment_required=plan.comment_required,
                position=position,
            )
        for judge in PANEL:
            judging.judge_invite(round=round_, email=judge.email, name=judge.display_name, actor=organiser)
    return [preliminary, final]


def move_to_judging(competition: Competition, organiser: User, demo_judge: User) -> Round:
    """Close submissions now (the demo's files are all processed), open the preliminary round, assign it and let
    every judge but the demo judge submit scores (seeded, so the demo is the same every time)."""
    now = timezone.now()
    Competition.objects.filter(pk=competition.pk).update(
        submission_opens_at=min(competition.submission_opens_at, now - timedelta(days=30)),
        submission_deadline=now,
        registration_closes_at=min(competition.registration_closes_at, now - timedelta(days=7)),
        judging_starts_at=now,
        judging_ends_at=now + timedelta(days=14),
        results_at=now + timedelta(days=21),
    )
    competition.refresh_from_db()
    preliminary = competition.rounds.get(position=1)
    Round.objects.filter(pk=preliminary.pk).update(opens_at=now, closes_at=now + timedelta(days=7))
    Round.objects.filter(competition=competition, position=2).update(
        opens_at=now + timedelta(days=7), closes_at=now + timedelta(days=14)
    )
    preliminary.refresh_from_db()
    judging.round_open(round=preliminary, actor=organiser)
    assignment.round_assign(round=preliminary, actor=organiser)
    _score_as_the_other_judges(preliminary, demo_judge)
    return preliminary


def _score_as_the_other_judges(round_: Round, demo_judge: User) -> None:
    rng = random.Random(2026)
    criteria = list(round_.criteria.all())
    assignments = round_.assignments.exclude(judge=demo_judge).select_related("judge", "round_entry")
    # Each judge has a temper (lenient or harsh) and each entry a quality, so the normalised ranking has work to do.
    tempers = {judge_id: rng.uniform(-1.5, 1.5) for judge_id in assignments.values_list("judge_id", flat=True)}
    qualities: dict[int, float] = {}
    for item in assignments.order_by("pk"):
        quality = qualities.setdefault(item.round_entry_id, rng.uniform(4.5, 8.5))
        values = {}
        for criterion in criteria:
            raw = quality + tempers[item.judge_id] + rng.gauss(0, 0.6)
            value = Decimal(str(round(min(10.0, max(0.0, raw)) * 2) / 2))
            comment = rng.choice(COMMENTS) if criterion.comment_required else ""
            values[criterion.pk] = {"value": value, "comment": comment}
        sheet = judging.sheet_save(round_entry=item.round_entry, judge=item.judge, version=0, values=values, comment="")
        judging.sheet_submit(round_entry=item.round_entry, judge=item.judge, version=sheet.version)
    assert not round_.sheets.exclude(judge=demo_judge).exclude(status=ScoreSheet.Status.SUBMITTED).exists()


COMMENTS = [
    "Warmer lighting at the entrance would draw visitors in; the hero view hides the best part of the scene.",
    "The layout reads well from above. Label the zones in the description so judges know what they are seeing.",
    "Strong idea. A short walkthrough in the description would help the jury follow the intended path.",
    "Materials are flat; a little roughness variation would make the space feel real.",
]
