"""The demo's scenes: little recognisable places made of boxes, one per track the demo teams enter, and one file
cut short, as an interrupted upload leaves it."""

from competitions.pipeline.samples import Box, scene_glb

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
