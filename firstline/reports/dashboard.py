"""What the dashboard shows, computed once per request from one 14-day report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet

from firstline.accounts.scope import area_scope
from firstline.areas.models import Area, subtree_q

from . import sources, svg
from .selectors import (
    FIGURES,
    REASON_PREFIX,
    TREND_DAYS,
    Node,
    Report,
    isolation_reasons,
    report_compute,
)
from .xlsx import figure_titles

# Colours of the figure groups: people, isolation, readings/alerts, gates, visits.
COLORS = {
    "residents": "#37474f", "households": "#37474f",
    "home_isolation": "#c62828", "centralized_isolation": "#c62828",
    "isolations_started": "#b26a00", "isolations_ended": "#1b7f3b",
    "readings_due": "#6a1b9a", "readings_received": "#6a1b9a", "fever_alerts": "#c62828",
    "crossings_out": "#0b57d0", "crossings_in": "#0b57d0", "crossings_denied": "#b26a00",
    "visitors_turned_back": "#b26a00",
    "households_visited": "#1b7f3b",
    "disinfection_rounds": "#00796b", "disinfection_overdue": "#c62828",
    "volunteers_on_duty": "#00796b", "tasks_overdue": "#c62828",
    "households_informed": "#1b7f3b",
}
# A rise is bad news for these (the delta is shown in red), good news for none of them.
RISING_IS_BAD = {"home_isolation", "centralized_isolation", "isolations_started",
                 "fever_alerts", "crossings_denied", "visitors_turned_back",
                 "disinfection_overdue", "tasks_overdue"}


@dataclass
class Card:
    key: str
    title: str
    value: int
    delta: int
    chart: str
    tone: str = ""


@dataclass
class Row:
    node: Node
    values: dict[str, int]
    has_children: bool

    @property
    def cells(self) -> list[int]:
        return [self.values[f] for f in FIGURES]


@dataclass
class Dashboard:
    area: Area
    day: date
    report: Report
    cards: list[Card]
    key_cards: list[Card]
    reason_cards: list[Card]
    rows: list[Row]
    sort: str
    descending: bool
    columns: list[tuple[str, str]]
    alerts: QuerySet
    bars: str = ""


def _card(node: Node, key: str, title: str, days: list[date], color: str) -> Card:
    values = node.total.get(key) or [0] * len(days)
    delta = values[-1] - values[-2] if len(values) > 1 else 0
    tone = ""
    if delta and (key in RISING_IS_BAD or key.startswith(("key_persons:", REASON_PREFIX))):
        tone = "bad" if delta > 0 else "ok"
    return Card(key, title, values[-1], delta, svg.trend(values, days, label=title,
                                                          color=color), tone)


def dashboard_build(*, user, area: Area, day: date, sort: str = "", descending: bool = True,
                    perm: str = "reports.dashboard") -> Dashboard:
    days = [day - timedelta(days=i) for i in range(TREND_DAYS - 1, -1, -1)]
    # The days before the one shown come from a 10-minute cache when they were computed
    # lately: the trend of a big street would otherwise cost 14 reports per page view. The
    # day shown is always computed afresh (and the daily report itself never uses the cache).
    report = report_compute(area=area, days=days, cache_before=day)
    root = report.root
    titles = figure_titles()
    cards = [_card(root, f, titles[f], days, COLORS[f]) for f in FIGURES]
    category_titles = sources.key_person_category_titles()
    key_cards = [_card(root, f"key_persons:{c}", category_titles.get(c, c), days, "#b26a00")
                 for c in report.key_categories]
    from firstline.isolation.models import Reason

    reason_cards = [_card(root, f"{REASON_PREFIX}{r}", str(Reason(r).label), days, "#c62828")
                    for r in isolation_reasons()]
    columns = [(f, titles[f]) for f in FIGURES]
    if sort not in FIGURES:
        sort = ""
    rows = [Row(c, {f: c.value(f) for f in FIGURES}, bool(c.children)) for c in root.children]
    if sort:
        rows.sort(key=lambda r: (r.values[sort], r.node.code), reverse=descending)
    from firstline.isolation.models import Alert, AlertStatus

    alerts = (Alert.objects.filter(area_scope(user, "area", perm),
                                   subtree_q(area, "area"), status=AlertStatus.OPEN)
              .select_related("resident", "household__compound", "area")
              .order_by("-opened_at")[:30])
    bar_key = sort or "residents"
    bars = svg.bars([(r.node.name, r.values[bar_key]) for r in rows], label=titles[bar_key],
                    width=640)
    return Dashboard(area=area, day=day, report=report, cards=cards, key_cards=key_cards,
                     reason_cards=reason_cards,
                     rows=rows, sort=sort, descending=descending, columns=columns,
                     alerts=alerts, bars=bars)


def areas_for_picker(user, perm: str = "reports.dashboard") -> QuerySet[Area]:
    """Areas above grid level the user may open, for the area picker."""
    return (Area.objects.filter(area_scope(user, None, perm)).exclude(level="grid")
            .order_by("path")[:200])
