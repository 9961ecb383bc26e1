"""The dashboard's SVG charts (frontend.charts): one mark per datum, scaled to the data, accessible, and a plain
sentence when there is nothing to draw."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from frontend import charts

START = datetime(2026, 3, 1, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 11, tzinfo=UTC)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def points_of(svg: str) -> list[tuple[float, float]]:
    match = re.search(r'<polyline class="chart-line" points="([^"]*)"', svg)
    assert match is not None
    raw = match.group(1)
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in raw.split())]


def test_box_stats_are_the_five_numbers_of_the_values():
    stats = charts.box_stats([1, 2, 3, 4, 5])

    assert (stats.low, stats.q1, stats.median, stats.q3, stats.high, stats.count) == (1, 2, 3, 4, 5, 5)


def test_box_stats_of_one_value_is_that_value_five_times():
    assert charts.box_stats([7.5]) == charts.BoxStats(7.5, 7.5, 7.5, 7.5, 7.5, 1)


def test_box_stats_refuse_no_values():
    with pytest.raises(ValueError):
        charts.box_stats([])


def test_cumulative_adds_up_the_counts_in_order():
    counts = [(START, 3), (START + timedelta(days=1), 0), (START + timedelta(days=2), 4)]

    assert [total for _moment, _count, total in charts.cumulative(counts)] == [3, 3, 7]


def test_submissions_chart_has_a_point_per_bucket_after_a_start_at_zero():
    counts = [(START + timedelta(days=day), 2) for day in range(4)]

    svg = charts.submissions_chart(counts, start=START, deadline=DEADLINE, zone=SHANGHAI, chart_id="s")

    points = points_of(svg)
    assert len(points) == 5
    assert points[0][1] == max(y for _x, y in points)  # zero at the bottom
    assert points[-1][1] == min(y for _x, y in points) == charts.TOP  # the total at the top
    assert [x for x, _y in points] == sorted(x for x, _y in points)


def test_submissions_chart_scales_time_between_the_opening_and_the_deadline():
    halfway = START + (DEADLINE - START) / 2

    svg = charts.submissions_chart([(halfway, 1)], start=START, deadline=DEADLINE, zone=SHANGHAI, chart_id="s")

    first, middle = points_of(svg)
    plot_width = charts.WIDTH - charts.LEFT - charts.RIGHT
    assert first[0] == charts.LEFT
    assert middle[0] == pytest.approx(charts.LEFT + plot_width / 2, abs=0.1)
    deadline_line = re.search(r'<line x1="([\d.]+)"[^>]*class="chart-marker"', svg).group(1)
    assert float(deadline_line) == charts.LEFT + plot_width
    assert ">Deadline</text>" in svg


def test_submissions_chart_is_labelled_with_its_figures():
    counts = [(START, 2), (START + timedelta(days=2), 3)]

    svg = charts.submissions_chart(counts, start=START, deadline=DEADLINE, zone=SHANGHAI, chart_id="subs")

    assert svg.startswith('<svg class="chart" role="img" viewBox="0 0 600 220" aria-labelledby="subs-title subs-desc"')
    assert '<title id="subs-title">Revisions received over time</title>' in svg
    assert "5 revisions received from 2026-03-01 to 2026-03-03; the deadline is 2026-03-11 08:00." in svg


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.submissions_chart([], start=START, deadline=DEADLINE, zone=SHANGHAI, chart_id="s"),
        lambda: charts.score_boxes([], low=0, high=10, chart_id="j"),
        lambda: charts.score_boxes([("Judge without sheets", [])], low=0, high=10, chart_id="j"),
        lambda: charts.rank_slopes([], chart_id="r", title="Ranks"),
    ],
)
def test_a_chart_without_data_says_so_in_a_sentence(draw):
    assert draw() == '<p class="chart-empty">No data yet.</p>'


def test_the_empty_sentence_is_in_chinese_for_a_chinese_reader():
    with translation.override("zh-hans"):
        assert "暂无数据" in charts.no_data()


def test_score_boxes_draw_a_box_per_judge_on_the_rubric_range():
    judges = [("Ada", [2.0, 4.0, 6.0, 8.0, 10.0]), ("Bo", [5.0]), ("Cy", [0.0, 10.0])]

    svg = charts.score_boxes(judges, low=0, high=10, chart_id="j")

    boxes = re.findall(r'<rect class="box" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    assert len(boxes) == 3
    plot_width = charts.WIDTH - 140 - charts.RIGHT
    ada_x, ada_width = map(float, boxes[0])
    assert ada_x == pytest.approx(140 + plot_width * 0.4, abs=0.1)  # q1 = 4
    assert ada_width == pytest.approx(plot_width * 0.4, abs=0.1)  # q3 - q1 = 4
    assert float(boxes[1][1]) == 1.0  # a single total: a thin box, still visible
    assert "Ada: 5 totals, 2 to 10, median 6" in svg


def test_score_boxes_grow_with_the_number_of_judges_and_escape_names():
    judges = [(f"<Judge {i}>", [5.0]) for i in range(6)]

    svg = charts.score_boxes(judges, low=0, high=10, chart_id="j")

    height = float(re.search(r'viewBox="0 0 600 ([\d.]+)"', svg).group(1))
    assert height == charts.TOP + 28 * 6 + charts.BOTTOM
    assert "<Judge" not in svg and "&lt;Judge 0&gt;" in svg


def test_rank_slopes_draw_a_line_per_entry_from_its_raw_to_its_normalised_rank():
    changes = [("AAA", 2, 1), ("BBB", 1, 2), ("CCC", 3, 3)]

    svg = charts.rank_slopes(changes, chart_id="r", title="Rank changes in Games")

    lines = re.findall(r'<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="([\d.]+)" class="slope slope-(\w+)"/>', svg)
    assert [direction for _y1, _y2, direction in lines] == ["up", "down", "same"]
    up, down, same = [(float(y1), float(y2)) for y1, y2, _d in lines]
    assert up[0] > up[1] and down[0] < down[1] and same[0] == same[1]
    assert same[0] == max(y for pair in (up, down, same) for y in pair)  # the deepest rank at the bottom
    assert '<title id="r-title">Rank changes in Games</title>' in svg
    assert "AAA: 2 to 1; BBB: 1 to 2; CCC: 3 to 3." in svg
