"""Lesson links: what an instructor's URL adds to a config.

A lesson link can hide controls (``<field>_hide=true``, as TF Playground does) and
panels that would give the answer away (``doctor_hide``, ``preflight_hide``,
``lr_find_hide``), start from a preset and lock the knobs that preset sets
(``preset=NAME&lock=true``) or lock named knobs at the link's values
(``lock=seq_len,epochs``), open a page (the link's path), show a note to the class
(``note=...``), switch on presenter mode (``presenter=true``) and open a failure page as
a guided walkthrough (``walkthrough=true``), and keep or leave out the *Failure modes* menu
(``menu_hide``; left out by default when the lesson hides anything). Everything else in the
query string is the config itself.

A link the builder writes never names a preset: a preset's name is a failure mode's, the
very answer a lesson may hide. Its values travel as config fields and its locks as knob
names (:meth:`Lesson.resolved`); ``preset=`` is still read, old names included, so links
saved before keep working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

from .config import RULES, ConfigError, ExperimentConfig
from .modes import MODES
from .presets import PRESETS, get_preset, preset_name

# Fields that only come from a file or the Data page have no Playground control to hide.
NOT_CONTROLS = ("csv_source", "target_columns", "input_columns", "time_column", "date_order",
                "decimal_mark")
CONTROLS = tuple(k for k in RULES if k not in NOT_CONTROLS)
# Panels a lesson can hide, by the name its link uses (<name>_hide=true).
PANELS = {"doctor": "Doctor", "preflight": "Pre-flight check", "lr_find": "Learning-rate range test"}
NOTE_MAX = 500
FLAGS = ("presenter", "walkthrough")
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")
# The pages a lesson can open: path in the URL -> title (the Playground is the root).
PAGES = {"": "Playground", "data": "Your data", "sweep": "Sweep",
         **{m.slug: m.title for m in MODES}, "about": "About"}


@dataclass(frozen=True)
class Lesson:
    """The lesson part of a link; the default is "no lesson"."""

    hide: frozenset[str] = field(default_factory=frozenset)
    preset: str = ""
    lock: bool = False  # lock the knobs the preset sets, at the preset's values
    note: str = ""
    presenter: bool = False
    walkthrough: bool = False
    lock_fields: frozenset[str] = field(default_factory=frozenset)  # at the link's values
    hide_panels: frozenset[str] = field(default_factory=frozenset)
    menu_hide: bool | None = None  # None: hidden exactly when the lesson hides anything

    @property
    def preset_locked(self) -> frozenset[str]:
        """The fields a locked preset holds at its own values: the ones it sets."""
        if not (self.lock and self.preset):
            return frozenset()
        return frozenset(get_preset(self.preset).changes) & frozenset(CONTROLS)

    @property
    def locked(self) -> frozenset[str]:
        """Every field whose control the lesson disables."""
        return self.preset_locked | self.lock_fields

    @property
    def active(self) -> bool:
        """True when the link restricts the Playground (students, not the instructor)."""
        return bool(self.hide or self.locked or self.hide_panels)

    @property
    def menu_hidden(self) -> bool:
        """True when the *Failure modes* menu is left out: its pages' titles and stories
        name the answer a lesson that hides something wants the class to find."""
        if self.menu_hide is not None:
            return self.menu_hide
        return bool(self.hide or self.hide_panels)

    def resolved(self) -> "Lesson":
        """The same lesson without a preset name: a preset's locks become knobs locked by
        name (its values travel as config fields), so nothing in a student's URL names
        the failure the preset shows."""
        if not self.preset:
            return self
        return replace(self, preset="", lock=False, lock_fields=self.locked)

    def base(self) -> ExperimentConfig:
        """The config the lesson starts from: its preset's, or the defaults."""
        return get_preset(self.preset).config if self.preset else ExperimentConfig()

    def apply_lock(self, config: ExperimentConfig) -> ExperimentConfig:
        """``config`` with every preset-locked field back at the preset's value (fields
        locked by name keep the link's value: the app disables their controls)."""
        if not self.preset_locked:
            return config
        preset = self.base().to_dict()
        return config.replace(**{k: preset[k] for k in self.preset_locked})

    def to_query(self) -> dict[str, str]:
        out = {f"{k}_hide": "true" for k in sorted(self.hide | self.hide_panels)}
        if self.preset:
            out["preset"] = self.preset
        if self.lock_fields:
            out["lock"] = ",".join(sorted(self.lock_fields))
        elif self.lock:
            out["lock"] = "true"
        out.update({k: "true" for k in FLAGS if getattr(self, k)})
        if self.menu_hide is not None:
            out["menu_hide"] = "true" if self.menu_hide else "false"
        if self.note:
            out["note"] = self.note
        return out


def _flag(key: str, text: str) -> bool:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ConfigError(f"{key} must be true or false, not {text[:40]!r}")


def split_query(params: Mapping[str, Any]) -> tuple[Lesson, dict[str, str], list[str]]:
    """Separate a link's lesson keys from its config keys.

    Returns ``(lesson, config_params, problems)``: each unusable lesson key is left out
    with a one-line reason; the config keys are returned untouched for
    :func:`lstm_lab.views.config_from_query`.
    """
    hide, panels, values, rest, problems = set(), set(), {}, {}, []
    for key, raw in params.items():
        text = str(raw[-1] if isinstance(raw, list) else raw)
        try:
            if key == "menu_hide":
                values["menu_hide"] = _flag(key, text)
            elif key.endswith("_hide"):
                name = key[: -len("_hide")]
                if name not in CONTROLS and name not in PANELS:
                    raise ConfigError(f"cannot hide {name[:40]!r}: no such control or panel")
                if _flag(key, text):
                    (panels if name in PANELS else hide).add(name)
            elif key == "lock":
                values.update(_lock(text, problems))
            elif key in FLAGS:
                values[key] = _flag(key, text)
            elif key == "preset":  # old links; the builder writes config fields instead
                if preset_name(text) not in PRESETS:
                    raise ConfigError(f"unknown preset {text[:40]!r} in the link")
                values["preset"] = preset_name(text)
            elif key == "note":
                values["note"] = clean_note(text)
            else:
                rest[key] = raw
        except ConfigError as err:
            problems.append(str(err))
    lesson = Lesson(hide=frozenset(hide), hide_panels=frozenset(panels), **values)
    if lesson.lock and not lesson.preset:
        problems.append("lock=true needs a preset to lock (preset=NAME), or name the knobs "
                        "(lock=seq_len,epochs) -- ignored")
        lesson = replace(lesson, lock=False)
    return lesson, rest, problems


def _lock(text: str, problems: list[str]) -> dict:
    """``lock=true`` (the preset's knobs) or ``lock=seq_len,epochs`` (these knobs)."""
    low = text.strip().lower()
    if low in _TRUE or low in _FALSE:
        return {"lock": low in _TRUE}
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in CONTROLS]
    if bad:
        problems.append(f"cannot lock {', '.join(repr(n[:40]) for n in bad)}: no such "
                        "control (lock=true, or knob names such as lock=seq_len,epochs)")
    return {"lock_fields": frozenset(n for n in names if n in CONTROLS)}


def clean_note(text: str) -> str:
    """A note as the class will see it: no control characters, at most NOTE_MAX chars."""
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text).strip()
    return text[:NOTE_MAX]


def app_root(page_url: str | None, pages=None) -> str:
    """The app's root URL -- scheme, host, port and path, where the Playground (the default
    page) lives, with a trailing slash -- from any page's URL (query and fragment dropped).

    Streamlit gives the Playground's URL without a trailing slash (``http://h:8501``) and a
    page's with its path (``http://h:8501/lr_too_small``, or under a base path
    ``http://h/lab/lr_too_small``): the last path segment is cut only when it names one of
    ``pages`` (default: every page a lesson can open).
    """
    if not page_url:
        return "/"
    pages = PAGES if pages is None else pages
    parts = urlsplit(page_url)
    segments = parts.path.rstrip("/").split("/")
    if segments[-1] and segments[-1] in pages:
        segments = segments[:-1]
    path = "/".join(segments).rstrip("/") + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def lesson_link(base_url: str, page: str, lesson: Lesson,
                config: ExperimentConfig | None = None) -> str:
    """The URL of a lesson: the app's root URL (scheme, host, port, path), the page's
    path, the lesson keys, and (for the Playground) the config fields that differ from the
    defaults. A preset is written as its config fields and its locks as knob names, never
    by name: a preset's name is a failure mode's, the answer a lesson may hide. A knob
    locked by name keeps its value in the link, since that value is what it holds."""
    if page not in PAGES:
        raise ConfigError(f"unknown page {page!r}; pages: {', '.join(p or '(root)' for p in PAGES)}")
    query = {}
    if page == "":
        config = lesson.apply_lock(config if config is not None else lesson.base())
        start = ExperimentConfig().to_dict()
        from .views import config_to_query

        query = {k: v for k, v in config_to_query(config).items()
                 if config.to_dict()[k] != start[k]}
    query.update(lesson.resolved().to_query())
    root = base_url.rstrip("/")
    return f"{root}/{page}" + (f"?{urlencode(query)}" if query else "")
