"""The workshop page: the levers in the sidebar, both sides and the scoreboard on the stage.

Run with ``orgsim-demo`` (or ``solara run sim/demo/app.py``). Each browser session keeps its own
settings and week; the runs themselves are shared (:mod:`sim.demo.replay` caches them), so twenty
participants on the default view cost one computation.

Why not Mesa's SolaraViz, which this page used at first: SolaraViz steps the model in Python on
every tick and re-renders every component, applies the sidebar only on Reset, and shows no slider
values; in a room of twenty that meant 14 s before the first control and 300–400 ms per Step. The
conventions that serve are kept: :class:`~sim.demo.side_by_side.SideBySide` is a Mesa model, the
levers are declared in Mesa's ``model_params`` form (:func:`~sim.demo.levers.model_params`), and
Reset / ▶ / Step work as in SolaraViz — they only reveal weeks of a run computed whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qs, urlencode

import solara

from sim.configuration import renamed
from sim.demo.levers import model_params
from sim.demo.replay import Replay, Settings, replay_for
from sim.demo.stage import Stage
from sim.demo.views import changes_note, job_choices, job_path

TITLE = "orgsim · one market, two organisations"
# The browser tells whether it is a phone-sized screen; there the sidebar starts folded away, or
# it would cover the page. (A solara.reactive is kept per browser session.)
narrow = solara.reactive(False)
# sidebar input name → Settings field (Mesa's own Model.scenario is a different thing)
FIELDS = {"scenario_name": "scenario"}


@cache
def params() -> dict:
    return model_params()


def values(settings: Settings) -> dict:
    """Each sidebar input's current value, by input name."""
    return {"scenario_name": settings.scenario, "left": settings.left, "right": settings.right,
            "seed": settings.seed, **settings.lever_dict}


def to_query(settings: Settings) -> str:
    """The settings as URL query parameters (the browser adds ``week`` and ``presenter``)."""
    return urlencode({FIELDS.get(k, k): v for k, v in values(settings).items()})


@dataclass(frozen=True)
class View:
    """What a link asks for; ``problems`` names the parameters that were ignored and why."""

    settings: Settings
    week: int = 0
    presenter: bool = False
    problems: str = ""


def from_query(search: str) -> View:
    """Read a link's query string; a value that is not allowed is ignored (the page says so)."""
    query = {k: v[-1] for k, v in parse_qs(search or "").items()}
    for old in renamed.RENAMED:  # links made before a setting was renamed still work
        short = old.split(".")[-1]
        if short in query:
            query.setdefault(renamed.current(old).split(".")[-1], query.pop(short))
    changes, problems = {}, []
    for name, spec in params().items():
        key = FIELDS.get(name, name)
        if key not in query:
            continue
        text = query.pop(key)
        try:
            if spec["type"] == "Select":
                if text not in spec["values"]:
                    raise ValueError(f"one of {', '.join(spec['values'])}")
                value = text
            else:
                value = (int if spec["type"] == "SliderInt" else float)(text)
                if not spec["min"] <= value <= spec["max"]:
                    raise ValueError(f"{spec['min']:g}–{spec['max']:g}")
        except ValueError as e:
            allowed = str(e) if "–" in str(e) or "one of" in str(e) else \
                f"a number {spec['min']:g}–{spec['max']:g}"
            problems.append(f"{key}={text!r} (allowed: {allowed})")
            continue
        changes[FIELDS.get(name, name)] = value
    week = query.pop("week", "0")
    presenter = query.pop("presenter", "0") in ("1", "true", "yes")
    if not week.isdigit():
        problems.append(f"week={week!r} (allowed: a whole number of weeks)")
        week = "0"
    problems += [f"{k} (not a setting of this page)" for k in query]
    note = f"Ignored in the link: {'; '.join(problems)}." if problems else ""
    return View(Settings().with_(**changes), int(week), presenter, note)


def job_payload(replay: Replay, choice: str) -> dict:
    """The followed job's path on both sides, for the stage (which shows it up to the week)."""
    if not choice:
        return {}
    job_id = int(choice.split(" · ")[0])
    sides = [[[r["week"], r["event"], r["who"], r["detail"]]
              for r in job_path(replay.pair.sides[side], job_id)] for side in ("left", "right")]
    return {"id": job_id, "label": f"job {choice}", "sides": sides}


@solara.component
def Levers(settings: Settings, change):
    """The sidebar: Mesa-style inputs, each showing its value; a change applies at once."""
    current = values(settings)
    for name, spec in params().items():
        key, value = FIELDS.get(name, name), current[name]

        def on_value(v, key=key):
            change(**{key: v})

        if spec["type"] == "Select":
            solara.Select(spec["label"], values=spec["values"], value=value, on_value=on_value)
        else:
            slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
            slider(f"{spec['label']}: {value:g}", value=value, min=spec["min"],
                   max=spec["max"], step=spec["step"], on_value=on_value, thumb_label=True)


@solara.component
def FollowJob(replay: Replay, choice: solara.Reactive[str]):
    choices = solara.use_memo(lambda: job_choices(replay.pair.sides), [replay])
    solara.Select(label="Follow one customer job (its path shows up to the week on screen)",
                  values=choices, value=choice.value if choice.value in choices else None,
                  on_value=choice.set)


@solara.component
def Layout(children=None):
    """Solara's app layout (app bar, sidebar), with the sidebar folded on a phone."""
    return solara.AppLayout(children=children or [], sidebar_open=not narrow.value)


@solara.component
def Page():
    router = solara.use_router()
    first = solara.use_memo(lambda: from_query(router.search or ""), [])
    settings = solara.use_reactive(first.settings)  # what the sidebar asks for
    presenter = solara.use_reactive(first.presenter)
    note = solara.use_reactive(first.problems)
    choice = solara.use_reactive("")
    # what the stage shows; a new pair is computed in the background (a second or so) while
    # the stage keeps the old one and says so, instead of freezing the page
    shown = solara.use_reactive(solara.use_memo(lambda: replay_for(first.settings), []))
    latest = solara.use_ref(settings.value)
    latest.current = settings.value
    wanted = settings.value

    def bring_up_to_date():
        if shown.value.settings != wanted:
            replay = replay_for(wanted)
            if latest.current == wanted:  # not overtaken by a newer change meanwhile
                shown.set(replay)

    solara.use_thread(bring_up_to_date, dependencies=[wanted], intrusive_cancel=False)
    replay = shown.value

    def change(**changes):
        new = settings.value.with_(**changes)
        if new != settings.value:
            note.set(changes_note(values(settings.value), values(new)))
            settings.set(new)

    solara.Title(TITLE)
    if not presenter.value:
        with solara.AppBar():
            solara.AppBarTitle(TITLE)
        with solara.Sidebar():
            Levers(settings.value, change)
    computing = replay.settings != wanted
    # keyed: the same widget (and week) whether or not the sidebar is there
    Stage.element(run=replay.json, start_week=first.week, presenter=presenter.value,
                  on_presenter=presenter.set, on_narrow=narrow.set,
                  query=to_query(replay.settings),
                  note="Computing both sides with the new settings…" if computing else note.value,
                  job=job_payload(replay, choice.value if not presenter.value else "")
                  ).key("stage")
    if not presenter.value:
        FollowJob(replay, choice).key("follow-job")
