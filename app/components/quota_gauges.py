"""Quota gauges: one plotly gauge per project and bucket, with the numbers beneath as text.

Used by the Quota page and the Overview. A page state provides one var built by
`gauge_groups(...)` and the page calls `quota_gauges(ThatState.var)`:

    class OverviewState(SessionState):
        quota: list[dict[str, Any]] = []

        def _refresh(self) -> None:
            with db.read_session() as s:
                buckets = quota_report.bucket_status(session=s)
            self.quota = gauge_groups(buckets, self.zone())

    quota_gauges(OverviewState.quota, compact=True)   # in the page

Test ids, with KEY = "{project_id}-{bucket}" (e.g. "1-videos.insert"):
quota-gauge-KEY (the card), quota-used-KEY, quota-limit-KEY, quota-reserve-KEY
(numbers with thousands separators, as `tubefleet quota` counts them),
quota-percent-KEY ("12.5 %"), quota-level-KEY (ok, info, warning, critical,
exhausted), quota-resets-KEY (the reset in the viewer's zone; the card's
data-resets-at attribute holds it in ISO UTC), quota-forecast-KEY (full only).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import plotly.graph_objects as go  # type: ignore[import-untyped]
import reflex as rx

from core import clock
from core.quota_report import BucketStatus

LEVEL_COLORS = {"ok": "grass", "info": "amber", "warning": "orange", "critical": "red",
                "exhausted": "red"}
# Gauge bar colours per level (Radix 9 steps) and the 70/80/90 % bands behind it.
BAR_COLORS = {"ok": "#3e63dd", "info": "#e2a336", "warning": "#ef5f00", "critical": "#dc3e42",
              "exhausted": "#8c1f22"}
BANDS = ((0.0, 0.7, "#f0f0f3"), (0.7, 0.8, "#ffe7b3"), (0.8, 0.9, "#ffcca7"),
         (0.9, 1.0, "#feb9b6"))
BUCKET_TITLES = {"default": "Shared bucket", "videos.insert": "Uploads (videos.insert)",
                 "search.list": "Searches (search.list)"}
FONT = "Inter, -apple-system, Segoe UI, Roboto, sans-serif"
# Plain look for every quota chart (replaces plotly's grey default template).
PLAIN = go.layout.Template(layout={"font": {"family": FONT, "color": "#1c2024", "size": 12},
                                   "paper_bgcolor": "rgba(0,0,0,0)",
                                   "plot_bgcolor": "rgba(0,0,0,0)"})
PLOT_CONFIG = {"displayModeBar": False, "responsive": True}

# Counts down every element with data-countdown="<seconds at render>" once a second,
# from when that value arrived, so the browser's own clock never matters.
COUNTDOWN_SCRIPT = """(() => {
  if (window.__tubefleetCountdown) return;
  const seen = new WeakMap();
  const two = (n) => String(n).padStart(2, "0");
  const tick = () => {
    const now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach((el) => {
      const value = el.getAttribute("data-countdown");
      let entry = seen.get(el);
      if (!entry || entry.value !== value) { entry = {value, at: now}; seen.set(el, entry); }
      const left = Math.max(0, Math.round(Number(value) - (now - entry.at) / 1000));
      if (!Number.isFinite(left)) return;
      const text = `${Math.floor(left / 3600)} h ${two(Math.floor(left % 3600 / 60))} min `
        + `${two(left % 60)} s`;
      if (el.textContent !== text) el.textContent = text;
    });
  };
  tick();
  window.__tubefleetCountdown = setInterval(tick, 1000);
})()"""


def unit_of(bucket: str, count: int = 2) -> str:
    """What a bucket counts: units of the shared bucket, calls of the others."""
    unit = "unit" if bucket == "default" else "call"
    return unit if count == 1 else unit + "s"


def local_time(at: datetime, zone: ZoneInfo, now: datetime | None = None) -> str:
    """'14:05 CET' today, 'Sun 23 Nov 09:00 CET' on another day (in the viewer's zone)."""
    local = clock.as_utc(at).astimezone(zone)
    today = clock.as_utc(now or clock.now()).astimezone(zone).date()
    return local.strftime("%H:%M %Z" if local.date() == today else "%a %d %b %H:%M %Z")


def duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def forecast_sentence(b: BucketStatus, zone: ZoneInfo, now: datetime) -> str:
    """What the current rate means for this bucket, in words."""
    unit = unit_of(b.bucket)
    if b.exhausted_at is not None:
        return (f"Google answered quotaExceeded at {local_time(b.exhausted_at, zone, now)}: "
                "no calls to this bucket until the reset.")
    if b.exhausted:
        return "Used up: no calls to this bucket until the reset."
    if b.used >= b.upload_ceiling:
        return ("New work waits for the reset; only uploads already started may finish, "
                f"using the {b.reserve:,}-{unit} reserve.")
    prefix = ("Background reads have stopped (90 %); uploads continue. "
              if b.used >= b.background_ceiling else "")
    since = local_time(b.rate_since, zone, now)
    if b.rate_per_hour <= 0:
        return prefix + (f"No calls since {since}: this lasts until the reset."
                         if b.used else "No calls today yet.")
    rate = f"At the rate since {since} ({b.rate_per_hour:,.1f} {unit}/h),"
    if b.runs_out_at is None:
        return f"{prefix}{rate} this bucket lasts until the reset."
    return (f"{prefix}{rate} new work stops at about {local_time(b.runs_out_at, zone, now)}, "
            f"{duration(b.resets_at - b.runs_out_at)} before the reset.")


def gauge_figure(b: BucketStatus, height: int = 190) -> go.Figure:
    """Used against the limit, with the 70/80/90 % bands and a mark where new work stops."""
    top = max(b.limit, 1)
    figure = go.Figure(go.Indicator(
        mode="gauge+number",
        value=b.used,
        number={"valueformat": ",d", "font": {"size": 30}},
        gauge={
            "shape": "angular",
            "axis": {"range": [0, top], "tickformat": "~s", "nticks": 6, "tickwidth": 1,
                     "tickcolor": "#b9bbc6", "tickfont": {"size": 10, "color": "#60646c"}},
            "bar": {"color": BAR_COLORS[b.level], "thickness": 0.32},
            "bgcolor": "white",
            "borderwidth": 0,
            "steps": [{"range": [low * top, high * top], "color": color}
                      for low, high, color in BANDS],
            "threshold": {"line": {"color": "#1c2024", "width": 3}, "thickness": 0.9,
                          "value": b.upload_ceiling},
        },
    ))
    figure.update_layout(template="none", height=height, autosize=True,
                         margin={"l": 28, "r": 28, "t": 12, "b": 4})
    return figure


def gauge_item(b: BucketStatus, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """One gauge's data: strings for display, the figure, and the test key."""
    unit = unit_of(b.bucket, b.used)
    return {
        "key": b.key,
        "project": b.project,
        "bucket": b.bucket,
        "title": BUCKET_TITLES.get(b.bucket, b.bucket),
        "unit": unit,
        "used": f"{b.used:,}",
        "limit": f"{b.limit:,}",
        "reserve": f"{b.reserve:,}",
        "left": f"{max(0, b.upload_ceiling - b.used):,}",
        "ceilings": (f"New work stops at {b.upload_ceiling:,}"
                     + (f" (reserve {b.reserve_percent:g} %)" if b.reserve else "")
                     + f"; background reads at {b.background_ceiling:,}."),
        "percent": f"{b.percent:.1f} %",
        "level": b.level,
        "level_color": LEVEL_COLORS[b.level],
        "resets": local_time(b.resets_at, zone, now),
        "resets_iso": b.resets_at.isoformat(),
        "forecast": forecast_sentence(b, zone, now),
        "figure": gauge_figure(b),
    }


def gauge_groups(buckets: list[BucketStatus], zone: ZoneInfo,
                 now: datetime | None = None) -> list[dict[str, Any]]:
    """The var quota_gauges() renders: one group per project, its buckets in order."""
    now = clock.as_utc(now or clock.now())
    groups: list[dict[str, Any]] = []
    for b in buckets:
        if not groups or groups[-1]["project_id"] != str(b.project_id):
            groups.append({"project_id": str(b.project_id), "project": b.project,
                           "gauges": []})
        groups[-1]["gauges"].append(gauge_item(b, zone, now))
    return groups


def countdown(seconds: Any, testid: str = "") -> rx.Component:
    """A live 'H h MM min SS s' countdown (filled in the browser by COUNTDOWN_SCRIPT)."""
    return rx.el.span(data_countdown=seconds, data_testid=testid or None,
                      style={"font_variant_numeric": "tabular-nums"})


def countdown_driver() -> rx.Component:
    """Starts the once-a-second countdown ticker in the browser (idempotent)."""
    return rx.box(on_mount=rx.call_script(COUNTDOWN_SCRIPT), display="none")


def _number(label: str, value: rx.Var, unit: rx.Var | str, testid: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color="var(--gray-11)"),
        rx.hstack(rx.text(value, size="4", weight="bold", data_testid=testid,
                          style={"font_variant_numeric": "tabular-nums"}),
                  rx.text(unit, size="1", color="var(--gray-10)"),
                  align="baseline", spacing="1"),
        spacing="0", align="start",
    )


def _gauge_card(g: rx.Var, compact: bool) -> rx.Component:
    key = g["key"].to(str)
    details = rx.fragment() if compact else rx.vstack(
        rx.text(g["ceilings"], size="1", color="var(--gray-11)"),
        rx.text(g["forecast"], size="2", data_testid="quota-forecast-" + key),
        spacing="1", width="100%",
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(g["title"], size="2", weight="bold"),
                rx.spacer(),
                rx.badge(g["level"], color_scheme=g["level_color"].to(str), variant="soft",
                         data_testid="quota-level-" + key),
                width="100%", align="start",
            ),
            rx.plotly.finance(data=g["figure"].to(go.Figure), template=PLAIN,
                              config=PLOT_CONFIG, width="100%", height="190px"),
            rx.hstack(
                _number("Used", g["used"], g["unit"], "quota-used-" + key),
                _number("Limit", g["limit"], "", "quota-limit-" + key),
                _number("Reserve", g["reserve"], "", "quota-reserve-" + key),
                _number("Of limit", g["percent"], "", "quota-percent-" + key),
                justify="between", width="100%",
            ),
            details,
            rx.text("Resets ", rx.el.span(g["resets"], data_testid="quota-resets-" + key),
                    size="1", color="var(--gray-11)"),
            spacing="2", width="100%",
        ),
        data_testid="quota-gauge-" + key,
        data_resets_at=g["resets_iso"],
        width="100%",
    )


def quota_gauges(data_var: Any, *, compact: bool = False) -> rx.Component:
    """A grid of gauges per project from a var filled with gauge_groups(...).

    compact=True (for the Overview) leaves out the ceilings and the forecast sentence.
    """
    return rx.vstack(
        rx.foreach(
            data_var.to(list[dict[str, Any]]),
            lambda group: rx.vstack(
                rx.heading(group["project"], size="4", data_testid="quota-project"),
                rx.grid(
                    rx.foreach(group["gauges"].to(list[dict[str, Any]]),
                               lambda g: _gauge_card(g, compact)),
                    columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                    spacing="4", width="100%",
                ),
                spacing="2", width="100%",
            ),
        ),
        rx.cond(
            data_var.to(list[dict[str, Any]]).length() == 0,
            rx.callout("No Google Cloud project yet: quota is counted per project. An admin "
                       "adds one on the Settings page.", icon="info", color_scheme="gray",
                       width="100%"),
        ),
        spacing="5", width="100%",
    )
