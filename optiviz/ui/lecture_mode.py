"""A lecture figure on its page: a card's link lands on the figure; lecture mode shows the figure alone, large.

Three URL values, checked like every link value (a refused one is named, and the whole page shown):

- ``figure=<slug>``: a lecture-figure card of this page (``figure=14``, ``figure=annealing``). The page
  scrolls to the card's first chart once it is drawn (the student can scroll away at once).
- ``present=1``: lecture mode. Only the card's title, its sentence, its chart(s) and the few controls it
  names, large, for a projector: no sidebar, no toolbar; chart fonts ×1.5 (tick labels ≥ 18 px).
  A link back opens the whole page on the figure.
- ``step=k``: step k of the card's steps (lecture mode), a view of its own with its own settings;
  ← and → link the steps before and after.

Embedded (``?embed=true``, a figure in slides or a course page): with a ``figure``, lecture mode at the
page's own sizes (a frame is smaller than a projected screen; add ``present=1`` for projector sizes), so the
frame opens on the figure rather than on the sidebar; without one, the page with its sidebar collapsed.

Only keys and names from ``LECTURE_FIGURES`` (checked against ``KEY``) ever reach the CSS and the script;
nothing from the URL is written into them.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlencode

import streamlit as st

from optiviz.ui.lecture_figures import FIGURE, KEY, LECTURE_FIGURES, PRESENT, STEP, LectureFigure
from optiviz.ui.links import quote

FOCUS_STATE = "_lecture_focus"  # session state: the chart keys lecture mode enlarges in this run ("" keys: none)
HEADER, NOTE = "lecture_header", "link_note"  # keys of the blocks lecture mode keeps besides the figure
YES, NO = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})
TOP_GAP = "4.5rem"  # under Streamlit's header bar, where a landed figure's top goes


class View(NamedTuple):
    """What a link asked for: a card of this page (or none), lecture mode, a step (1 … n, 0: none), embedded."""

    card: LectureFigure | None = None
    present: bool = False
    step: int = 0
    embedded: bool = False
    enlarge: bool = False  # projector sizes: asked with present=1 (a frame in slides keeps the page's sizes)

    @property
    def focus(self) -> tuple[str, ...]:
        return self.card.focus if self.card else ()


def parse(asked: Mapping[str, list[str]], url_path: str, embedded: bool = False) -> tuple[View, dict[str, str | None]]:
    """The view a link asks for on the page at ``url_path``, and for each lecture-mode value it carries, the
    line that says why it was refused (None: taken)."""
    checked: dict[str, str | None] = {k: None for k in (FIGURE, PRESENT, STEP) if k in asked}
    cards = {c.slug: c for c in LECTURE_FIGURES if c.url_path == url_path}

    def one(key: str) -> str | None:
        values = asked[key]
        return values[0].strip().lower() if len(values) == 1 else None

    card = None
    if FIGURE in asked:
        card = cards.get(one(FIGURE) or "")
        if card is None:
            known = f" (here: {', '.join(cards)})" if cards else ""
            checked[FIGURE] = (f"{quote(FIGURE, asked[FIGURE])} is not a lecture figure of this page{known}: "
                               "showing the whole page.")
    present = asked_present = False
    if PRESENT in asked:
        value = one(PRESENT)
        if value in YES and card is not None:
            present = asked_present = True
        elif value in YES:
            checked[PRESENT] = "`present=1` needs a lecture figure of this page (`figure=…`): showing the whole page."
        elif value not in NO:
            checked[PRESENT] = (f"{quote(PRESENT, asked[PRESENT])} is not allowed here: `present=1` is lecture mode; "
                                "showing the whole page.")
    present = present or (embedded and card is not None and (one(PRESENT) if PRESENT in asked else None) not in NO)
    step = 1 if present and card is not None and card.steps else 0
    if STEP in asked:
        value = one(STEP) or ""
        number = int(value) if value.isascii() and value.isdigit() and len(value) < 4 else 0  # not "²", not 10⁹
        if card is None or not card.steps:
            checked[STEP] = f"{quote(STEP, asked[STEP])}: this link shows no figure with steps; ignored."
        elif not present:
            checked[STEP] = f"{quote(STEP, asked[STEP])} is used in lecture mode only (`present=1`); ignored."
        elif not 1 <= number <= len(card.steps):
            checked[STEP] = (f"{quote(STEP, asked[STEP])} is not a step of this figure (1 … {len(card.steps)}): "
                             "showing step 1.")
        else:
            step = number
    return View(card, present, step, embedded, asked_present), checked


def presented() -> tuple[str, ...]:
    """The chart keys drawn for a projector in this run (lecture mode), else ()."""
    return st.session_state.get(FOCUS_STATE, ())


def begin(url_path: str, asked: Mapping[str, list[str]]) -> tuple[View, dict[str, str | None]]:
    """Before the page runs: read the link's view, take refused values out of the URL, and in lecture mode
    hide everything but the figure and draw its title and sentence first. Returns the view and the lines
    for ``links.report``."""
    view, checked = parse(asked, url_path, bool(st.context.is_embedded))
    refused = [k for k, line in checked.items() if line and k in st.query_params]
    if refused:  # one assignment: each deletion would send the whole query string
        st.query_params.from_dict({k: v for k, v in requested_now().items() if k not in refused})
    st.session_state[FOCUS_STATE] = view.focus if view.enlarge else ()
    if view.present:
        _present(view)
    return view, checked


def requested_now() -> dict[str, list[str] | str]:
    """The URL's query values now, a single value as a string."""
    return {k: (v if len(v) > 1 else v[0]) for k in st.query_params for v in [st.query_params.get_all(k)]}


def _css(keep: tuple[str, ...], charts: tuple[str, ...], size: float = 1.0) -> str:
    """Lecture mode's style: no sidebar, header or toolbar; of the main area, only what is, holds or lies in
    one of ``keep``; ``charts`` centred where they have a width of their own (keys checked against KEY); the
    header's text ``size`` times a projector's."""
    assert all(KEY.fullmatch(k) for k in keep + charts), keep
    kept = ", ".join(f".st-key-{k}" for k in keep)
    focus = ", ".join(f".st-key-{k}" for k in charts)
    blocks = ", ".join(f'[data-testid="{t}"]' for t in ("stVerticalBlock", "stHorizontalBlock", "stColumn",
                                                        "stLayoutWrapper"))
    return f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {{ display: none !important; }}
[data-testid="stMain"] :is({blocks}) > :not(:is({kept}), :has({kept}), :is({kept}) *) {{ display: none !important; }}
[data-testid="stMain"] [data-testid="stTabs"] > div > :not([data-testid="stTabPanel"]) {{ display: none !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 1.25rem 2.5rem 1.5rem; max-width: none; }}
[data-testid="stMain"] :is({focus}) {{ margin-left: auto; margin-right: auto; }}
.st-key-{HEADER} p, .st-key-{HEADER} nav {{ font-size: {1.45 * size:.3g}rem; line-height: 1.45; }}
.st-key-{HEADER} h1 {{ font-size: {2.3 * size:.3g}rem; padding: 0; }}
.st-key-{HEADER} a {{ display: inline-block; margin-right: 1.2rem; padding: 0.15rem 0.7rem; border-radius: 0.5rem;
  border: 1px solid rgba(128, 128, 128, 0.45); color: inherit; text-decoration: none;
  font-size: {1.25 * size:.3g}rem; }}
.st-key-{HEADER} a:hover, .st-key-{HEADER} a:focus-visible {{ border-color: currentColor; }}
.st-key-{HEADER} nav strong {{ margin-right: 1.2rem; }}
.st-key-{HEADER} .optiviz-fit {{ font-size: 1rem; opacity: 0.75; margin: 0; }}
@media (min-height: 941px), (max-width: 999px) {{
  .st-key-{HEADER} [data-testid="stElementContainer"]:has(.optiviz-fit) {{ display: none; }} }}
</style>"""


def _anchor(label: str, query: Mapping[str, str | list[str]], embedded: bool, **attributes: str) -> str:
    """A plain link to this page with ``query``: Streamlit's page links do nothing towards the page already open,
    so a step opens as a new page load (each step is a URL of its own). Everything in it is escaped."""
    query = dict(query) | ({"embed": "true"} if embedded else {})
    extra = "".join(f' {k}="{html.escape(v)}"' for k, v in attributes.items())
    return f'<a href="?{html.escape(urlencode(query, doseq=True))}"{extra}>{html.escape(label)}</a>'


def _present(view: View) -> None:
    """Lecture mode's style, and above the page the card's title, its sentence, the steps and the way back."""
    card, step = view.card, view.step
    st.html(_css((*card.focus, *card.controls, HEADER, NOTE), card.focus, 1.0 if view.enlarge else 0.75))
    with st.container(key=HEADER):
        st.title(f"{card.label} · {card.title}", anchor=False)
        st.markdown(sentence_of(view))
        links = []
        if step:
            links.append(f"<strong>Step {step} of {len(card.steps)}: "
                         f"{html.escape(card.steps[step - 1].label)}</strong>")
            if step > 1:
                links.insert(0, _anchor(f"← {card.steps[step - 2].label}", card.query(True, step - 1), view.embedded))
            if step < len(card.steps):
                links.append(_anchor(f"{card.steps[step].label} →", card.query(True, step + 1), view.embedded))
        whole = {k: v for k, v in requested_now().items() if k not in (PRESENT, STEP)} | {FIGURE: card.slug}
        if view.embedded:  # a frame in slides: the whole page in a tab of its own
            links.append(_anchor("Open in optiviz ↗", whole, False, target="_blank", rel="noopener"))
        else:
            links.append(_anchor("⤢ Whole page", whole, False, title="The whole page, scrolled to this figure"))
        st.html(f'<nav aria-label="{"Steps" if step else "Lecture mode"}">{" ".join(links)}</nav>')
        if view.enlarge:  # sized for a 1080-line projector; a lower screen shows it whole at the browser's 67 %
            st.html('<p class="optiviz-fit">A screen this low shows the figure whole with the browser zoomed out '
                    '(Ctrl and − to 67 %; Ctrl and 0 goes back).</p>')


def sentence_of(view: View) -> str:
    """The lecture's sentence for the view: its step's, else the card's caption."""
    return view.card.steps[view.step - 1].sentence if view.step else view.card.caption


def land(view: View) -> None:
    """After the page ran, with a card but not lecture mode: scroll its first chart into view once it is drawn,
    and keep it there while the page above it settles, until the student scrolls, clicks or types."""
    if view.card is None or view.present or not view.card.focus:
        return
    key = view.card.focus[0]
    assert KEY.fullmatch(key), key
    st.html(_LAND.replace("__KEY__", json.dumps(key)).replace("__GAP__", json.dumps(TOP_GAP)),
            unsafe_allow_javascript=True)


# Once per drawn element (its dataset marks it, so a rerun does not pull the student back), for up to 20 s.
_LAND = """<script>
(() => {
  const key = __KEY__, gap = __GAP__;
  const started = Date.now();
  let landed = null, still = 0, stop = false, last = NaN;
  const quit = () => { stop = true; };
  for (const type of ["wheel", "touchstart", "keydown", "mousedown"]) {
    window.addEventListener(type, quit, {once: true, capture: true, passive: true});
  }
  const tick = () => {
    if (stop || Date.now() - started > 20000) return;
    const el = document.querySelector(".st-key-" + key);
    if (!landed) {
      if (el && el.dataset.optivizLanded) return;  // landed by an earlier run of this page
      if (el && el.querySelector(".main-svg")) {
        el.dataset.optivizLanded = "1";
        el.style.scrollMarginTop = gap;
        el.scrollIntoView({block: "start"});
        landed = el;
      }
    } else if (!landed.isConnected) {
      return;
    } else {
      const top = landed.getBoundingClientRect().top;
      const want = parseFloat(gap) * parseFloat(getComputedStyle(document.documentElement).fontSize);
      if (Math.abs(top - want) > 4 && Math.abs(top - last) > 1) {  // the page above moved it: back in place
        landed.scrollIntoView({block: "start"});
        still = 0;
      } else if (++still > 15) {
        return;  // 1.5 s in place (or as near as the page's end allows): the page has settled
      }
      last = landed.getBoundingClientRect().top;
    }
    setTimeout(tick, 100);
  };
  tick();
})();
</script>"""
