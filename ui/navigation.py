"""app.py's frame around every page: the top menu (built from the failure-mode registry),
the page's heading with the presenter toggle, the lesson's note, and the deep-link guard.

The menu sits at the top (``position="top"``), so it never pushes a page's knobs down;
there is no sidebar at all, so presenter mode has the whole width for its charts.
"""

from __future__ import annotations

import runpy
import threading
from pathlib import Path

import streamlit as st

from lstm_lab.modes import MODES
from ui.state import keep_presenter_in_url, lesson, md_escape, presenter_on, show_problems, \
    start_lesson

APP_PATH = Path(__file__).resolve().parents[1] / "app.py"
_frame = threading.local()  # set while app.py runs the page, per script thread

# Our own fixed CSS (no user text). The block container starts under the top menu with a
# small gap instead of Streamlit's 6rem; headings are compact.
LAYOUT_CSS = """<style>
.block-container { padding-top: 3.6rem !important; padding-bottom: 3rem !important; }
h1 { font-size: 1.75rem !important; padding: 0.1rem 0 0.2rem 0 !important; }
div[class*="st-key-panel-"] { gap: 0.35rem !important; }  /* a run's heading, status, chart */
/* WCAG AA text contrast (4.5:1, axe-core's color-contrast): Streamlit fades captions to 60 %
   (3.9:1 on white; their inline code 3.0:1) and a greyed-out control's label to 2.3:1.
   Still lighter than body text, and readable on a washed-out projector. */
[data-testid="stCaptionContainer"] { opacity: 1 !important; color: #5c5b58 !important; }
label[data-testid="stWidgetLabel"][disabled] { opacity: 1 !important; color: #6b6966 !important; }
@media (max-width: 640px) {  /* a phone: no projector toggle, tighter rows */
  .st-key-presenter { display: none !important; }
  [data-testid="stVerticalBlock"] { gap: 0.6rem !important; }
}
</style>"""
# Presenter mode: larger type everywhere (Streamlit sizes in rem).
PRESENTER_CSS = """<style>
html { font-size: 22px !important; }  /* over the theme's baseFontSize */
/* Streamlit sets body text, captions, labels and buttons at 0.875rem: 19.25 px here */
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"] p, button p,
[data-testid="stMarkdownContainer"] { font-size: 1rem !important; }
.block-container { padding-left: 1.2rem !important; padding-right: 1.2rem !important; }
</style>"""


def pages() -> dict[str, list]:
    """The menu: the tools, the failure modes (one page per registry entry), help.

    A lesson that hides something also leaves the failure modes out of the menu (their
    titles and stories name the answer), all but the page its link opened."""
    modes = MODES
    if lesson().menu_hidden:
        modes = [m for m in MODES if m.slug == st.session_state.get("lesson_page")]
    menu = {
        "Explore": [
            st.Page("pages/playground.py", title="Playground", icon=":material/tune:",
                    default=True),
            st.Page("pages/data.py", title="Your data", icon=":material/upload_file:"),
            st.Page("pages/sweep.py", title="Sweep", icon=":material/grid_on:"),
        ],
        "Failure modes": [st.Page(f"pages/{m.slug}.py", title=m.title, icon=m.icon)
                          for m in modes],
        "Help": [st.Page("pages/about.py", title="About", icon=":material/info:")],
    }
    if not modes:
        del menu["Failure modes"]
    return menu


def run() -> None:
    """Everything app.py does after its page config: menu, heading, then the page."""
    # the server's worker pool starts with its first page load, whatever the page: its
    # ~20 s start and the failure pages' compiles happen before anyone presses Run
    from ui.live import get_runner  # here: app.py is also imported by every worker

    get_runner()
    start_lesson()  # a lesson link's keys (hidden controls, preset, note, presenter), once
    page = st.navigation(pages(), position="top")
    st.html(LAYOUT_CSS)
    header(page.title)
    show_problems(st.session_state.pop("lesson_problems", []))
    note = lesson().note
    if note:
        st.info(md_escape(note), icon=":material/school:")
    _frame.on = True
    try:
        page.run()
    finally:
        _frame.on = False


def header(title: str) -> None:
    """The page's title, and the presenter toggle at the right of the same row."""
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.title(title)
    right.toggle("Presenter mode", key="presenter",
                 help="large type, thick lines and wide charts for a projector; kept in "
                 "the link")
    keep_presenter_in_url()
    if presenter_on():
        st.html(PRESENTER_CSS)


def require_app() -> None:
    """Make sure a page runs inside app.py's frame (one line at the top of a page).

    Streamlit starts in its legacy "pages/ directory" mode until some session calls
    ``st.navigation`` (a documented rule: from then on the folder is ignored). Until then
    a URL naming a page -- a shared link opened first on a fresh server -- runs that page
    file bare: no menu, no page config. Such a bare run runs app.py in its place, whose
    ``st.navigation`` switches Streamlit out of that mode for good and picks this same
    page, in this same run (a click that triggered the run is not lost); the bare run then
    ends. Only public API: the frame is known from our own thread-local flag.
    """
    if getattr(_frame, "on", False):
        return
    runpy.run_path(str(APP_PATH), run_name="__main__")
    st.stop()
