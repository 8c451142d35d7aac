"""Insights: anonymised round summaries, collective nudges and the completion preview."""

from bot.insights.aggregate import BUCKETS, bucket_of
from bot.insights.nudges import TEAM_RULES, personal_nudge, team_nudges
from bot.insights.privacy import (
    RoundSummary,
    SignalSummary,
    overlapping_groups_at_risk,
    summarise_round,
)
from bot.insights.render import preview_buckets, render_digest, render_withheld
from bot.insights.sparkline import sparkline

__all__ = [
    "BUCKETS",
    "TEAM_RULES",
    "RoundSummary",
    "SignalSummary",
    "bucket_of",
    "overlapping_groups_at_risk",
    "personal_nudge",
    "preview_buckets",
    "render_digest",
    "render_withheld",
    "sparkline",
    "summarise_round",
    "team_nudges",
]
