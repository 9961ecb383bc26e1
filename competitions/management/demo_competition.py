"""The demo competition: its texts in English and Chinese, its seven tracks and a timeline that is open now."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from competitions.models import Competition, Track

DEMO_SLUG = "metaverse-scenario-design-2026"
DEMO_TIME_ZONE = "Asia/Shanghai"

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


def create_competition() -> Competition:
    """The demo competition and its tracks, open for registration and submissions now."""
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
