"""Quota gauges: one meter per project and bucket, with the numbers beneath as text.

The meter is a bar drawn by the browser from numbers (no figure is built or sent): its
length is the share of the limit used, the bands behind it mark 70/80/90 %, and a tick
marks where new work stops (the limit minus the reserve).

Used by the Quota page and the Overview. A page state fills one var with
`app.views.quota.gauge_groups(...)` and the page calls `quota_gauges(ThatState.var)`:

    class OverviewState(PolledPage, SessionState):
        quota: list[dict[str, Any]] = []

        def _refresh(self) -> None:
            with db.read_session() as s:
                buckets = quota_report.bucket_status(session=s)
            self._assign(quota=gauge_groups(buckets, self.zone(), compact=True))

    quota_gauges(OverviewState.quota, compact=True)   # in the page

Each meter is role="meter" with aria-valuenow (used), aria-valuemin (0), aria-valuemax
(the limit), aria-valuetext and aria-label, so tests and screen readers read its numbers.
Test ids, with KEY = "{project_id}-{bucket}" (e.g. "1-videos.insert"):
quota-gauge-KEY (the card), quota-meter-KEY (the bar), quota-used-KEY, quota-limit-KEY,
quota-reserve-KEY (numbers with thousands separators, as `tubefleet quota` counts them),
quota-percent-KEY ("12.5 %"), quota-level-KEY (ok, info, warning, critical, exhausted),
quota-resets-KEY (the reset in the viewer's zone; the card's data-resets-at attribute holds
it in ISO UTC), quota-forecast-KEY (full only).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.views.charts import BANDS

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


def countdown(seconds: Any, testid: str = "") -> rx.Component:
    """A live 'H h MM min SS s' countdown (filled in the browser by COUNTDOWN_SCRIPT)."""
    return rx.el.span(
        data_countdown=seconds,
        data_testid=testid or None,
        style={"font_variant_numeric": "tabular-nums"},
    )


def countdown_driver() -> rx.Component:
    """Starts the once-a-second countdown ticker in the browser (idempotent)."""
    return rx.box(on_mount=rx.call_script(COUNTDOWN_SCRIPT), display="none")


def _number(label: str, value: rx.Var, unit: rx.Var | str, testid: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color="var(--gray-11)"),
        rx.hstack(
            rx.text(
                value,
                size="4",
                weight="bold",
                data_testid=testid,
                style={"font_variant_numeric": "tabular-nums", "white_space": "nowrap"},
            ),
            rx.text(unit, size="1", color="var(--gray-10)"),
            align="baseline",
            spacing="1",
        ),
        spacing="0",
        align="start",
    )


# The 70/80/90 % bands behind the bar, as one CSS gradient.
BAND_GRADIENT = (
    "linear-gradient(to right, "
    + ", ".join(f"{color} {low:.0%} {high:.0%}" for low, high, color in BANDS)
    + ")"
)


def _meter(g: rx.Var, key: rx.Var) -> rx.Component:
    """The bar: used against the limit, with a tick where new work stops."""
    return rx.vstack(
        rx.el.div(
            rx.el.div(
                style={
                    "position": "absolute",
                    "inset": "0 auto 0 0",
                    "width": g["fill"].to(str),
                    "background": g["color"].to(str),
                    "border_radius": "7px",
                    "transition": "width 0.4s ease",
                },
            ),
            rx.el.div(
                title="New work stops here; the rest is the reserve",
                style={
                    "position": "absolute",
                    "top": "-4px",
                    "bottom": "-4px",
                    "left": g["mark"].to(str),
                    "width": "3px",
                    "margin_left": "-1.5px",
                    "background": "var(--gray-12)",
                    "border_radius": "1px",
                },
            ),
            # Reflex's role prop does not list "meter" (ARIA 1.2): set as a plain attribute.
            custom_attrs={"role": "meter"},
            aria_valuenow=g["now"],
            aria_valuemin=0,
            aria_valuemax=g["max"],
            aria_valuetext=g["value_text"],
            aria_label=g["label"],
            data_testid="quota-meter-" + key,
            style={
                "position": "relative",
                "width": "100%",
                "height": "14px",
                "border_radius": "7px",
                "background": BAND_GRADIENT,
                "box_shadow": "inset 0 0 0 1px var(--gray-a5)",
            },
        ),
        rx.hstack(
            rx.text("0", size="1", color="var(--gray-10)"),
            rx.spacer(),
            rx.text(g["limit"], size="1", color="var(--gray-10)"),
            width="100%",
            style={"font_variant_numeric": "tabular-nums"},
        ),
        spacing="1",
        width="100%",
        padding_top="4px",
    )


def _gauge_card(g: rx.Var, compact: bool) -> rx.Component:
    key = g["key"].to(str)
    details = (
        rx.fragment()
        if compact
        else rx.vstack(
            rx.text(g["ceilings"], size="1", color="var(--gray-11)"),
            rx.text(g["forecast"], size="2", data_testid="quota-forecast-" + key),
            spacing="1",
            width="100%",
        )
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(g["title"], size="2", weight="bold"),
                rx.spacer(),
                rx.badge(
                    g["level"],
                    color_scheme=g["level_color"].to(str),
                    variant="soft",
                    data_testid="quota-level-" + key,
                ),
                width="100%",
                align="start",
            ),
            _meter(g, key),
            rx.hstack(
                _number("Used", g["used"], g["unit"], "quota-used-" + key),
                _number("Limit", g["limit"], "", "quota-limit-" + key),
                _number("Reserve", g["reserve"], "", "quota-reserve-" + key),
                _number("Of limit", g["percent"], "", "quota-percent-" + key),
                justify="between",
                wrap="wrap",  # a narrow card puts the last numbers on a second line
                width="100%",
            ),
            details,
            rx.text(
                "Resets ",
                rx.el.span(g["resets"], data_testid="quota-resets-" + key),
                size="1",
                color="var(--gray-11)",
            ),
            spacing="2",
            width="100%",
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
                    rx.foreach(
                        group["gauges"].to(list[dict[str, Any]]), lambda g: _gauge_card(g, compact)
                    ),
                    columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                    spacing="4",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            data_var.to(list[dict[str, Any]]).length() == 0,
            rx.callout(
                "No Google Cloud project yet: quota is counted per project. An admin "
                "adds one on the Settings page.",
                icon="info",
                color_scheme="gray",
                width="100%",
            ),
        ),
        spacing="5",
        width="100%",
    )
