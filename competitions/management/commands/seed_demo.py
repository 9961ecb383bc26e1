"""``manage.py seed_demo``: the demo competition, its teams and entries, its judging rounds, and the accounts to try
them with.

Idempotent: when the demo competition exists, nothing is changed and the logins are printed again. ``--reset``
deletes the demo competition and accounts first. ``--judging`` moves the demo past its deadline and opens the
preliminary round (see ``competitions.management.demo_judging``). Teams, entries and uploads go through the same
services as the portal, so files are stored and checked the real way; revisions are processed here, synchronously,
so the demo is complete before any worker starts (the task the upload queued then finds nothing left to claim).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from competitions.management import demo_judging
from competitions.models import Competition, EntryRevision, Membership, Profile, Round, Track
from competitions.pipeline.samples import Box, scene_glb
from competitions.services import audit, entries, processing, teams

User = get_user_model()

DEMO_SLUG = "metaverse-scenario-design-2026"
DEMO_TIME_ZONE = "Asia/Shanghai"
# Fixed and documented: these accounts exist only on a developer's machine or a demo server.
PASSWORDS = {"organiser": "organiser-demo-2026", "judge": "judge-demo-2026", "entrant": "entrant-demo-2026"}


@dataclass(frozen=True)
class Person:
    email: str
    display_name: str
    organisation: str
    role: str = "entrant"


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


# --- Scenes: little recognisable places made of boxes ---------------------------------------------------------

GREY = (0.55, 0.57, 0.6)
DARK = (0.18, 0.19, 0.22)
WHITE = (0.92, 0.92, 0.9)
WOOD = (0.62, 0.45, 0.3)
RED = (0.78, 0.16, 0.14)
YELLOW = (0.95, 0.78, 0.1)
BLUE = (0.2, 0.45, 0.85)
GREEN = (0.25, 0.6, 0.3)
GLASS = (0.6, 0.8, 0.95)

Vector = tuple[float, float, float]


def _on_ground(x: float, z: float, size: Vector, colour: Vector, name: str, y: float = 0.0) -> Box:
    """A box of ``size`` whose bottom rests at height ``y``."""
    return Box(centre=(x, y + size[1] / 2, z), size=size, colour=colour, name=name)


def factory_floor() -> bytes:
    """Industrial metaverse: a conveyor through a quality-inspection gate, robot arms, an AGV and a patrol robot."""
    boxes = [_on_ground(0, 0, (22, 0.1, 14), GREY, "floor", y=-0.1)]
    boxes += [_on_ground(0, z, (22, 0.01, 0.15), YELLOW, f"safety-line-{i}") for i, z in enumerate((-2.2, 2.2))]
    boxes += [_on_ground(x, 0, (0.2, 0.8, 1.0), DARK, f"conveyor-leg-{i}") for i, x in enumerate(range(-6, 7, 3))]
    boxes.append(_on_ground(0, 0, (14, 0.12, 1.2), DARK, "conveyor-belt", y=0.8))
    boxes += [
        _on_ground(x, 0, (0.6, 0.45, 0.6), WOOD, f"parcel-{i}", y=0.92) for i, x in enumerate((-5.5, -3, 3.5, 5.5))
    ]
    boxes += [
        _on_ground(1, -0.8, (0.2, 2.2, 0.2), WHITE, "inspection-gate-post-left"),
        _on_ground(1, 0.8, (0.2, 2.2, 0.2), WHITE, "inspection-gate-post-right"),
        _on_ground(1, 0, (0.3, 0.2, 1.8), WHITE, "inspection-gate-beam", y=2.2),
        _on_ground(1, 0, (0.05, 0.05, 1.4), GREEN, "inspection-camera-light", y=2.1),
    ]
    for i, x in enumerate((-2.5, 3)):
        boxes += [
            _on_ground(x, -1.8, (0.8, 0.5, 0.8), (0.9, 0.45, 0.1), f"robot-arm-{i}-base"),
            _on_ground(x, -1.8, (0.3, 1.4, 0.3), (0.9, 0.45, 0.1), f"robot-arm-{i}-upper", y=0.5),
            _on_ground(x, -1.35, (0.25, 0.25, 1.1), (0.9, 0.45, 0.1), f"robot-arm-{i}-forearm", y=1.75),
            _on_ground(x, -0.75, (0.2, 0.3, 0.2), DARK, f"robot-arm-{i}-gripper", y=1.45),
        ]
    boxes += [
        _on_ground(-7, 4.5, (1.4, 0.35, 1.0), YELLOW, "agv-chassis", y=0.08),
        _on_ground(-7, 4.5, (1.2, 0.5, 0.8), WOOD, "agv-load", y=0.43),
        _on_ground(7, 4.5, (0.7, 0.9, 0.7), WHITE, "patrol-robot-body"),
        _on_ground(7, 4.5, (0.45, 0.35, 0.45), BLUE, "patrol-robot-head", y=0.9),
    ]
    for i, x in enumerate((-8, -5, -2)):
        boxes.append(_on_ground(x, -6, (2.4, 3.0, 0.8), BLUE, f"storage-rack-{i}"))
        boxes += [_on_ground(x, -6, (2.0, 0.5, 0.6), WOOD, f"rack-{i}-shelf-{j}", y=0.2 + j) for j in range(3)]
    return scene_glb(boxes, generator="Metascene demo: smart factory floor")


def classroom() -> bytes:
    """Education: rows of desks facing a blackboard, a teacher's desk and windows along one wall."""
    boxes = [
        _on_ground(0, 0, (10, 0.1, 8), WOOD, "floor", y=-0.1),
        _on_ground(0, -4, (10, 3.2, 0.2), WHITE, "front-wall"),
        _on_ground(-5, 0, (0.2, 3.2, 8), WHITE, "side-wall"),
        _on_ground(0, -3.85, (4.5, 1.3, 0.05), (0.1, 0.3, 0.2), "blackboard", y=1.0),
        _on_ground(0, -2.8, (1.8, 0.8, 0.8), WOOD, "teacher-desk"),
        _on_ground(3.5, -3.4, (1.2, 0.9, 0.6), DARK, "vr-headset-cabinet"),
    ]
    boxes += [_on_ground(-4.88, z, (0.05, 1.4, 1.6), GLASS, f"window-{i}", y=1.0) for i, z in enumerate((-2, 0.5, 3))]
    for row, z in enumerate((-1, 0.6, 2.2)):
        for col, x in enumerate((-2.7, -0.9, 0.9, 2.7)):
            boxes.append(_on_ground(x, z, (1.2, 0.75, 0.6), (0.85, 0.75, 0.55), f"desk-{row}-{col}"))
            boxes.append(_on_ground(x, z + 0.6, (0.45, 0.45, 0.45), BLUE, f"chair-{row}-{col}"))
    return scene_glb(boxes, generator="Metascene demo: future classroom")


def street_block() -> bytes:
    """Games: a neon street block with towers, street lamps, cars and trees."""
    boxes = [
        _on_ground(0, 0, (24, 0.1, 6), DARK, "road", y=-0.1),
        _on_ground(0, -4, (24, 0.15, 2), GREY, "pavement-north"),
        _on_ground(0, 4, (24, 0.15, 2), GREY, "pavement-south"),
    ]
    boxes += [_on_ground(x, 0, (1.6, 0.01, 0.15), WHITE, f"lane-mark-{i}") for i, x in enumerate(range(-10, 11, 4))]
    neon = [(0.95, 0.2, 0.6), (0.2, 0.9, 0.95), (0.6, 0.3, 0.95), (0.95, 0.6, 0.15)]
    for i, (x, height) in enumerate(((-9, 9), (-4.5, 14), (0, 7), (4.5, 11), (9, 16))):
        boxes.append(_on_ground(x, -7.5, (4, height, 5), (0.25, 0.25, 0.32), f"tower-north-{i}"))
        boxes.append(_on_ground(x, -4.98, (3, 0.6, 0.05), neon[i % 4], f"neon-sign-north-{i}", y=height * 0.6))
        boxes.append(_on_ground(x, 7.5, (4, height * 0.7, 5), (0.3, 0.28, 0.35), f"tower-south-{i}"))
        boxes.append(_on_ground(x, 4.98, (3, 0.4, 0.05), neon[(i + 2) % 4], f"neon-sign-south-{i}", y=2.5))
    for i, x in enumerate(range(-10, 11, 5)):
        boxes.append(_on_ground(x, -3.3, (0.12, 3.5, 0.12), GREY, f"lamp-post-{i}"))
        boxes.append(_on_ground(x, -3.0, (0.3, 0.12, 0.6), YELLOW, f"lamp-{i}", y=3.5))
    for i, (x, z, colour) in enumerate(((-6, -1.4, RED), (2, 1.4, BLUE), (7, -1.4, YELLOW))):
        boxes.append(_on_ground(x, z, (2.2, 0.6, 1.1), colour, f"car-{i}-body", y=0.2))
        boxes.append(_on_ground(x - 0.2, z, (1.2, 0.45, 1.0), GLASS, f"car-{i}-cabin", y=0.8))
    for i, x in enumerate((-7.5, -2.5, 2.5, 7.5)):
        boxes.append(_on_ground(x, 4.5, (0.25, 1.2, 0.25), WOOD, f"tree-{i}-trunk"))
        boxes.append(_on_ground(x, 4.5, (1.2, 1.2, 1.2), GREEN, f"tree-{i}-canopy", y=1.2))
    return scene_glb(boxes, generator="Metascene demo: neon street block")


def garden_pavilion() -> bytes:
    """Culture and tourism: a lantern pavilion by a pond, reached by a zigzag bridge."""
    boxes = [
        _on_ground(0, 0, (16, 0.1, 12), (0.45, 0.6, 0.35), "garden", y=-0.1),
        _on_ground(0, 1.5, (10, 0.05, 6), (0.25, 0.5, 0.65), "pond", y=-0.04),
        _on_ground(0, -3, (4.4, 0.4, 4.4), GREY, "pavilion-platform"),
    ]
    boxes += [
        _on_ground(x, z, (0.3, 2.6, 0.3), RED, f"pillar-{i}", y=0.4)
        for i, (x, z) in enumerate(((-1.8, -4.8), (1.8, -4.8), (-1.8, -1.2), (1.8, -1.2)))
    ]
    boxes += [
        _on_ground(0, -3, (5.4, 0.3, 5.4), DARK, "roof-lower", y=3.0),
        _on_ground(0, -3, (3.6, 0.3, 3.6), DARK, "roof-upper", y=3.6),
        _on_ground(0, -3, (1.0, 0.6, 1.0), YELLOW, "roof-finial", y=3.9),
    ]
    boxes += [
        _on_ground(x, z, (0.35, 0.5, 0.35), RED, f"lantern-{i}", y=2.3)
        for i, (x, z) in enumerate(((-2.4, -5.4), (2.4, -5.4), (-2.4, -0.6), (2.4, -0.6)))
    ]
    for i in range(5):
        x, z = (-3 + i * 1.5, 4 - i * 1.2)
        boxes.append(_on_ground(x, z, (1.8, 0.15, 0.9), WOOD, f"bridge-{i}", y=0.15))
    boxes += [_on_ground(x, 5.5, (1.2, 0.9, 1.0), GREY, f"rockery-{i}") for i, x in enumerate((-6, 5.5))]
    return scene_glb(boxes, generator="Metascene demo: garden lantern pavilion")


def rehabilitation_ward() -> bytes:
    """Medical services: beds, parallel bars for walking practice, monitors and a nurses' station."""
    boxes = [
        _on_ground(0, 0, (12, 0.1, 9), (0.85, 0.88, 0.9), "floor", y=-0.1),
        _on_ground(0, -4.5, (12, 3, 0.2), WHITE, "back-wall"),
    ]
    for i, x in enumerate((-4, -1.5, 1)):
        boxes += [
            _on_ground(x, -3.2, (1.0, 0.55, 2.1), GREY, f"bed-{i}-frame"),
            _on_ground(x, -3.2, (0.95, 0.15, 2.0), WHITE, f"bed-{i}-mattress", y=0.55),
            _on_ground(x, -4.0, (0.6, 0.12, 0.35), GLASS, f"bed-{i}-pillow", y=0.7),
            _on_ground(x + 0.8, -4.2, (0.1, 1.6, 0.1), GREY, f"monitor-{i}-stand"),
            _on_ground(x + 0.8, -4.2, (0.5, 0.35, 0.08), (0.1, 0.6, 0.4), f"monitor-{i}-screen", y=1.6),
        ]
    boxes += [
        _on_ground(0, 1.2, (5, 0.08, 0.08), YELLOW, "parallel-bar-left", y=0.95),
        _on_ground(0, 2.2, (5, 0.08, 0.08), YELLOW, "parallel-bar-right", y=0.95),
        _on_ground(0, 1.7, (5.2, 0.05, 1.4), BLUE, "walking-mat"),
    ]
    boxes += [
        _on_ground(x, z, (0.08, 0.95, 0.08), GREY, f"bar-post-{i}")
        for i, (x, z) in enumerate(((-2.4, 1.2), (2.4, 1.2), (-2.4, 2.2), (2.4, 2.2)))
    ]
    boxes += [
        _on_ground(4.5, 2.5, (2.4, 1.1, 0.8), (0.3, 0.55, 0.7), "nurses-station"),
        _on_ground(4.5, 2.5, (0.6, 0.4, 0.05), DARK, "nurses-station-screen", y=1.1),
    ]
    return scene_glb(boxes, generator="Metascene demo: rehabilitation ward")


def tea_store() -> bytes:
    """Consumption: a pop-up tea store with a counter, shelves of tins and a shop window."""
    boxes = [
        _on_ground(0, 0, (8, 0.1, 6), WOOD, "floor", y=-0.1),
        _on_ground(0, -3, (8, 3, 0.2), (0.95, 0.9, 0.82), "back-wall"),
        _on_ground(0, 3, (6, 2.4, 0.05), GLASS, "shop-window"),
        _on_ground(0, -1.2, (3.5, 1.0, 0.8), (0.3, 0.2, 0.15), "counter"),
        _on_ground(1.2, -1.2, (0.5, 0.35, 0.4), DARK, "till", y=1.0),
        _on_ground(0, -2.85, (3.0, 0.6, 0.05), RED, "store-sign", y=2.2),
    ]
    for i, x in enumerate((-3, 3)):
        boxes.append(_on_ground(x, -2.6, (1.6, 2.2, 0.5), WOOD, f"shelf-{i}"))
        colours = ((0.2, 0.5, 0.3), RED, YELLOW, BLUE)
        boxes += [
            _on_ground(x - 0.55 + k * 0.37, -2.6, (0.25, 0.35, 0.25), colours[k], f"shelf-{i}-tin-{k}", y=0.6 + j * 0.7)
            for j in range(2)
            for k in range(4)
        ]
    boxes += [_on_ground(x, 1.2, (1.2, 0.8, 0.8), WHITE, f"tasting-table-{i}") for i, x in enumerate((-2, 2))]
    return scene_glb(boxes, generator="Metascene demo: pop-up tea store")


def service_hall() -> bytes:
    """Government affairs: service counters with screens, waiting seats, kiosks and a queue display."""
    boxes = [
        _on_ground(0, 0, (16, 0.1, 10), (0.8, 0.8, 0.78), "floor", y=-0.1),
        _on_ground(0, -5, (16, 4, 0.2), WHITE, "back-wall"),
        _on_ground(0, -4.85, (5, 1.2, 0.05), DARK, "queue-display", y=2.4),
        _on_ground(0, -4.82, (4.6, 0.3, 0.03), (0.2, 0.9, 0.4), "queue-numbers", y=3.0),
    ]
    for i, x in enumerate((-6, -3, 0, 3, 6)):
        boxes += [
            _on_ground(x, -3, (2.4, 1.1, 0.9), (0.3, 0.45, 0.7), f"counter-{i}"),
            _on_ground(x, -3.3, (0.6, 0.4, 0.05), DARK, f"counter-{i}-screen", y=1.1),
            _on_ground(x, -4.0, (0.5, 0.9, 0.5), GREY, f"counter-{i}-chair"),
        ]
    for row, z in enumerate((0.5, 2.0, 3.5)):
        boxes += [_on_ground(x, z, (0.5, 0.45, 0.5), BLUE, f"seat-{row}-{k}") for k, x in enumerate(range(-4, 5, 2))]
    boxes += [_on_ground(x, 4.2, (0.7, 1.6, 0.5), WHITE, f"self-service-kiosk-{i}") for i, x in enumerate((-7, 7))]
    boxes += [_on_ground(x, 4.3, (0.5, 1.2, 0.5), GREEN, f"plant-{i}") for i, x in enumerate((-5.5, 5.5))]
    return scene_glb(boxes, generator="Metascene demo: citizen service hall")


def service_hall_cut_short() -> bytes:
    """The same file cut short, as an interrupted upload or export leaves it: processing rejects it."""
    content = service_hall()
    return content[: len(content) - 64]


# --- The demo ------------------------------------------------------------------------------------------------

SUMMARY = (
    "Design a metaverse scene for one of seven tracks, from games to the industrial metaverse, and show how 3D "
    "worlds can serve people in Shanghai and around the world."
)
SUMMARY_ZH = (
    "围绕游戏、消费、文旅、教育、医疗、政务与工业元宇宙七大赛道设计元宇宙场景，展示三维世界如何服务上海乃至全球的人们。"
)
RULES = """\
1. Who can take part. Teams of 1 to 5 people, students and professionals, from anywhere in the world. A person \
may be in one team only; the captain registers the team and invites the others with the team's invite code.

2. Entries. Each team may enter several tracks, with one entry per track. An entry is one glTF 2.0 scene: a .glb \
file, or a .zip holding one .gltf file with its buffers and textures. Replace the file as often as you like \
before the deadline; the last file that passed validation is the one judged.

3. Asset budget. At most 500 MB per upload, 2,000,000 triangles and textures of 4096 x 4096 pixels. The scene \
must load in a current web browser without plug-ins.

4. Deadline. Uploads close at the submission deadline shown on this page, in China Standard Time \
(Asia/Shanghai, UTC+8). Files still uploading at that moment are not accepted.

5. Originality. The work must be the team's own. Third-party models, textures and sounds need a licence that \
allows their use in the competition and must be credited in the entry's description.

6. Judging. A jury of designers, engineers and experts from each field scores the entries of every track on \
creativity, usefulness, technical quality and presentation. Judges do not score teams from their own \
organisation.

7. Rights. Teams keep the rights to their work and allow the organisers to show it, with credit, for the \
competition and its exhibition.
"""

RULES_ZH = """\
1. 参赛资格。每支团队 1 至 5 人，在校学生与从业者均可参加，不限国家和地区。每人只能加入一支团队；由队长创建团队，\
并用团队邀请码邀请其他成员加入。

2. 参赛作品。每支团队可参加多个赛道，每个赛道限提交一件作品。作品为一个 glTF 2.0 场景：一个 .glb 文件，\
或一个包含 .gltf 文件及其缓冲区和纹理的 .zip 压缩包。截止前可多次替换文件，以最后一个通过校验的文件为评审版本。

3. 资源预算。单次上传不超过 500 MB，三角面数不超过 2,000,000，纹理不超过 4096 × 4096 像素。场景须能在当前主流\
浏览器中直接加载，无需插件。

4. 截止时间。上传通道于本页所示提交截止时间关闭，时间以中国标准时间（Asia/Shanghai，UTC+8）为准。届时仍在上传中的\
文件不予接收。

5. 原创性。作品须为团队原创。使用第三方模型、纹理和音效须取得允许其用于本次大赛的授权，并在作品说明中注明出处。

6. 评审。由设计、工程及各行业专家组成的评审团，从创意、实用性、技术质量和展示效果等方面为每个赛道的作品评分。\
评委不为来自本单位的团队评分。

7. 权利。作品权利归参赛团队所有；团队同意主办方为大赛及其展览在署名的前提下展示作品。
"""

TRACKS = [
    (
        "games",
        "Games",
        "游戏",
        "Playable worlds and game levels: arenas, quests and social spaces that run smoothly in a browser.",
        "可在浏览器中流畅运行的游戏世界与关卡：竞技场、任务场景与社交空间。",
    ),
    (
        "consumption",
        "Consumption",
        "消费",
        "Virtual shops, showrooms and brand experiences where people browse, try and buy.",
        "虚拟商店、展厅与品牌体验，让人们在其中浏览、试用和购买。",
    ),
    (
        "culture",
        "Culture and tourism",
        "文旅",
        "Heritage sites, museums and city walks recreated for visitors near and far.",
        "为远近游客重现文化遗产、博物馆与城市漫步。",
    ),
    (
        "education",
        "Education",
        "教育",
        "Classrooms, laboratories and training grounds that make hard ideas visible.",
        "让抽象知识变得直观的教室、实验室与实训场地。",
    ),
    (
        "medical",
        "Medical services",
        "医疗",
        "Hospital wayfinding, rehabilitation and telemedicine spaces for patients and staff.",
        "面向患者与医护人员的医院导诊、康复训练与远程医疗空间。",
    ),
    (
        "government",
        "Government affairs",
        "政务",
        "Citizen service halls, city operation dashboards and emergency drills.",
        "市民服务大厅、城市运行看板与应急演练。",
    ),
    (
        "industrial",
        "Industrial metaverse",
        "工业元宇宙",
        "Digital twins of factories and plants: quality inspection, unmanned logistics, patrol robots and safety "
        "training.",
        "工厂与园区的数字孪生：质量检测、无人物流、巡检机器人与安全培训。",
    ),
]

ORGANISER = Person("organiser@example.com", "Metascene Organising Committee", "Metascene", role="organiser")
JUDGE = Person("judge@example.com", "孙立 Sun Li", "Shanghai University", role="judge")


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


def demo_timeline(now: datetime) -> dict[str, datetime]:
    """Registration and submission open now, the deadline six weeks away at 23:59:59 Shanghai time."""
    zone = ZoneInfo(DEMO_TIME_ZONE)
    today = now.astimezone(zone).date()

    def at(days: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, minute, second), tzinfo=zone)

    return {
        "registration_opens_at": at(-14, 9),
        "registration_closes_at": at(35, 23, 59, 59),
        "submission_opens_at": at(-7, 9),
        "submission_deadline": at(42, 23, 59, 59),
        "judging_starts_at": at(44, 9),
        "judging_ends_at": at(58, 18),
        "results_at": at(63, 19),
    }


def demo_people() -> list[Person]:
    return [ORGANISER, JUDGE] + [person for plan in TEAMS for person in plan.people]


class Command(BaseCommand):
    help = "Create the demo competition, teams, entries and accounts (once; run again to print the logins)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete the demo data and accounts, then create them.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo accounts have published passwords: never on a public site.",
        )
        parser.add_argument(
            "--judging",
            action="store_true",
            help="Move the demo past its deadline, open the preliminary round, assign it and let the other judges "
            "score, leaving the demo judge's queue to try.",
        )

    def handle(
        self, *args: object, reset: bool = False, force: bool = False, judging: bool = False, **options: object
    ) -> None:
        self._hashes: dict[str, str] = {}
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a production site; the demo accounts have published passwords. "
                "Use --force if you really want demo data here."
            )
        if reset:
            self._delete()
        if Competition.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("Demo data already present; nothing changed. (Use --reset to start again.)")
        else:
            self._create()
        if judging:
            self._start_judging()
        self._print_logins()

    def _delete(self) -> None:
        revisions = EntryRevision.objects.filter(entry__team__competition__slug=DEMO_SLUG)
        for revision in revisions:
            revision.file.delete(save=False)
        for competition in Competition.objects.filter(slug=DEMO_SLUG):
            audit.competition_delete(competition=competition)
        demo_emails = [person.email for person in demo_people()] + [plan.email for plan in demo_judging.PANEL]
        User.objects.filter(username__in=demo_emails).delete()
        self.stdout.write("Deleted the demo competition and accounts.")

    def _create(self) -> None:
        with transaction.atomic():
            competition = self._create_competition()
            tracks = {track.slug: track for track in competition.tracks.all()}
            organiser = self._user(ORGANISER)
            for plan in demo_judging.PANEL:
                self._user(Person(plan.email, plan.display_name, plan.organisation, role="judge"))
            revision_ids = []
            for plan in TEAMS:
                revision_ids += self._create_team(competition, tracks, plan)
            demo_judging.create_rounds(competition, organiser)
        # After commit, as a worker would; the tasks queued by the uploads then find nothing to claim.
        for revision_id in revision_ids:
            processing.revision_process(revision_id=revision_id)
        outcome = EntryRevision.objects.filter(pk__in=revision_ids)
        ready = outcome.filter(status=EntryRevision.Status.READY).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Created “{competition.name}” with {len(tracks)} tracks, {len(TEAMS)} teams and "
                f"{len(revision_ids)} uploaded revisions ({ready} ready, {len(revision_ids) - ready} rejected)."
            )
        )

    def _start_judging(self) -> None:
        competition = Competition.objects.get(slug=DEMO_SLUG)
        preliminary = competition.rounds.get(position=1)
        if preliminary.status != Round.Status.DRAFT:
            self.stdout.write("The preliminary round is already open; judging unchanged.")
            return
        organiser = User.objects.get(username=ORGANISER.email)
        judge = User.objects.get(username=JUDGE.email)
        preliminary = demo_judging.move_to_judging(competition, organiser, judge)
        assigned = preliminary.assignments.filter(judge=judge).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Submissions closed; “{preliminary.name}” is open with {preliminary.round_entries.count()} entries. "
                f"The other judges have scored; {JUDGE.email} has {assigned} entries to score."
            )
        )

    def _create_competition(self) -> Competition:
        competition = Competition(
            name="Metaverse Scenario Design Competition",
            name_zh="元宇宙场景设计大赛",
            slug=DEMO_SLUG,
            summary=SUMMARY,
            summary_zh=SUMMARY_ZH,
            rules=RULES,
            rules_zh=RULES_ZH,
            time_zone=DEMO_TIME_ZONE,
            team_size_min=1,
            team_size_max=5,
            entries_per_team_per_track=1,
            **demo_timeline(timezone.now()),
        )
        competition.full_clean()
        competition.save()
        for position, (slug, name, name_zh, description, description_zh) in enumerate(TRACKS):
            Track.objects.create(
                competition=competition,
                slug=slug,
                name=name,
                name_zh=name_zh,
                description=description,
                description_zh=description_zh,
                position=position,
            )
        return competition

    def _user(self, person: Person) -> User:
        """The account for ``person``, created with its role's password if it does not exist yet."""
        user = User.objects.filter(username=person.email).first()
        if user is None:
            staff = person.role == "organiser"
            user = User.objects.create(
                username=person.email,
                email=person.email,
                password=self._password_hash(person.role),
                is_active=True,
                is_staff=staff,
                is_superuser=staff,
            )
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": person.display_name,
                "organisation": person.organisation,
                "email_confirmed_at": timezone.now(),
            },
        )
        return user

    def _password_hash(self, role: str) -> str:
        # Hashing is slow on purpose; accounts of one role share a password, so hash it once.
        if role not in self._hashes:
            self._hashes[role] = make_password(PASSWORDS[role])
        return self._hashes[role]

    def _create_team(self, competition: Competition, tracks: dict[str, Track], plan: TeamPlan) -> list[int]:
        people = [self._user(person) for person in plan.people]
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

    def _print_logins(self) -> None:
        memberships = {
            membership.user.username: f"{membership.role}, {membership.team.name}"
            for membership in Membership.objects.filter(competition__slug=DEMO_SLUG).select_related("user", "team")
        }
        rows = [("Role", "Email (login)", "Password", "Notes")]
        rows.append(("organiser", ORGANISER.email, PASSWORDS["organiser"], f"Django admin: {settings.SITE_URL}/admin/"))
        for plan in demo_judging.PANEL:
            rows.append(("judge", plan.email, PASSWORDS["judge"], plan.organisation))
        for plan in TEAMS:
            for person in plan.people:
                rows.append(("entrant", person.email, PASSWORDS["entrant"], memberships.get(person.email, "")))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Metascene demo: {settings.SITE_URL}"))
        for i, row in enumerate(rows):
            line = "  ".join([*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)), row[3]])
            self.stdout.write(self.style.MIGRATE_HEADING(line) if i == 0 else line)
        self.stdout.write("")
