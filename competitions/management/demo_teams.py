"""The demo's teams and their entries, made through the same services as the portal: the captain creates the team,
the others join with its invite code, and the files are uploaded as a member would upload them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from competitions.management.demo_accounts import DemoAccounts, Person
from competitions.management.demo_scenes import (
    classroom,
    factory_floor,
    garden_pavilion,
    rehabilitation_ward,
    service_hall,
    service_hall_cut_short,
    street_block,
    tea_store,
)
from competitions.models import Competition, Track
from competitions.services import entries, teams


@dataclass(frozen=True)
class Upload:
    filename: str
    build: Callable[[], bytes]


@dataclass(frozen=True)
class EntryPlan:
    track: str
    title: str
    description: str
    uploads: list[Upload]
    uploader: int = 0  # index into the team's people


@dataclass(frozen=True)
class TeamPlan:
    name: str
    people: list[Person]  # the first is the captain
    entries: list[EntryPlan] = field(default_factory=list)


TEAMS = [
    TeamPlan(
        "Huangpu Digital Twins",
        [
            Person("zhang.wei@example.com", "张伟 Zhang Wei", "Tongji University"),
            Person("li.na@example.com", "李娜 Li Na", "Tongji University"),
            Person("marco.bianchi@example.com", "Marco Bianchi", "Politecnico di Milano"),
        ],
        [
            EntryPlan(
                "industrial",
                "Smart Factory Floor",
                "A digital twin of an assembly line: parcels pass a camera gate for quality inspection, robot "
                "arms pick them, an unmanned AGV carries them to the racks and a patrol robot watches the aisles.",
                [Upload("smart-factory-floor.glb", factory_floor)],
            ),
            EntryPlan(
                "culture",
                "Lantern Pavilion by the Pond",
                "A garden pavilion in the style of old Shanghai with a zigzag bridge, for an evening lantern walk.",
                [Upload("lantern-pavilion.glb", garden_pavilion)],
                uploader=1,
            ),
        ],
    ),
    TeamPlan(
        "Lakeside Learning Lab",
        [
            Person("emma.clarke@example.com", "Emma Clarke", "University of Edinburgh"),
            Person("wang.fang@example.com", "王芳 Wang Fang", "East China Normal University"),
            Person("arjun.mehta@example.com", "Arjun Mehta", "University of Edinburgh"),
        ],
        [
            EntryPlan(
                "education",
                "Future Classroom",
                "A classroom for mixed-reality lessons: students move from their desks to shared models at the "
                "board, with headsets stored at the front.",
                [Upload("future-classroom.glb", classroom)],
            ),
            EntryPlan(
                "medical",
                "Rehabilitation Ward",
                "Patients rehearse walking between parallel bars while the nurses' station follows each bed.",
                [Upload("rehabilitation-ward.glb", rehabilitation_ward)],
                uploader=2,
            ),
        ],
    ),
    TeamPlan(
        "Pixel Harbour Studio",
        [
            Person("liu.yang@example.com", "刘洋 Liu Yang", "Pixel Harbour Studio"),
            Person("lena.fischer@example.com", "Lena Fischer", "Pixel Harbour Studio"),
            Person("chen.jing@example.com", "陈静 Chen Jing", "Fudan University"),
        ],
        [
            EntryPlan(
                "games",
                "Neon Street Block",
                "A night-time street block for a multiplayer chase game: towers, neon signs, cars and lamps.",
                [Upload("neon-street-block.glb", street_block)],
            ),
            EntryPlan(
                "consumption",
                "Pop-up Tea Store",
                "A pop-up store where visitors taste and buy tea from Hangzhou and Yunnan.",
                [Upload("pop-up-tea-store.glb", tea_store)],
                uploader=2,
            ),
        ],
    ),
    TeamPlan(
        "Civic Canvas",
        [
            Person("zhou.min@example.com", "周敏 Zhou Min", "Shanghai Jiao Tong University"),
            Person("daniel.okafor@example.com", "Daniel Okafor", "University of Lagos"),
        ],
        [
            EntryPlan(
                "government",
                "市民服务中心 Citizen Service Hall",
                "One-stop service hall with counters, self-service kiosks and a live queue display. The first "
                "upload was cut short by a network failure and rejected; the second one is ready.",
                [Upload("service-hall.glb", service_hall_cut_short), Upload("service-hall.glb", service_hall)],
            ),
        ],
    ),
]


def create_team(
    competition: Competition, tracks: dict[str, Track], plan: TeamPlan, accounts: DemoAccounts
) -> list[int]:
    """The team of ``plan`` with its members and entries; returns the ids of the uploaded revisions, unprocessed."""
    people = [accounts.account(person) for person in plan.people]
    team = teams.team_create(competition=competition, user=people[0], name=plan.name)
    for member in people[1:]:
        teams.team_join(user=member, invite_code=team.invite_code)
    revision_ids = []
    for entry_plan in plan.entries:
        entry = entries.entry_create(
            team=team,
            track=tracks[entry_plan.track],
            user=people[0],
            title=entry_plan.title,
            description=entry_plan.description,
        )
        for upload in entry_plan.uploads:
            revision = entries.revision_receive(
                entry=entry,
                user=people[entry_plan.uploader],
                upload=SimpleUploadedFile(upload.filename, upload.build(), content_type="model/gltf-binary"),
            )
            revision_ids.append(revision.pk)
    return revision_ids
