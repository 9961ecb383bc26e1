"""A round's results: ``scoring`` holds the arithmetic and its documented rules (plain Python, no Django);
``rounds`` the leaderboard, publication, shortlist, CSV export and a team's own results."""

from competitions.services.results.rounds import (
    CSV_HEADER,
    FlaggedJudge,
    JudgeFeedback,
    JudgeTotal,
    Leaderboard,
    LeaderboardRow,
    TeamResult,
    TrackBoard,
    round_leaderboard,
    round_publish,
    scores_csv,
    scores_csv_filename,
    scores_csv_lines,
    shortlist_set,
    team_results,
)

__all__ = [
    "CSV_HEADER",
    "FlaggedJudge",
    "JudgeFeedback",
    "JudgeTotal",
    "Leaderboard",
    "LeaderboardRow",
    "TeamResult",
    "TrackBoard",
    "round_leaderboard",
    "round_publish",
    "scores_csv",
    "scores_csv_filename",
    "scores_csv_lines",
    "shortlist_set",
    "team_results",
]
