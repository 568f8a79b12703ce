"""Lesson links: what an instructor's URL adds to a config.

A lesson link can hide controls (``<field>_hide=true``, as TF Playground does), start
from a preset and lock the knobs that preset sets (``preset=NAME&lock=true``), open a
page (the link's path), show a note to the class (``note=...``), switch on presenter
mode (``presenter=true``) and open a failure page as a guided walkthrough
(``walkthrough=true``). Everything else in the query string is the config itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlencode

from .config import RULES, ConfigError, ExperimentConfig
from .presets import PRESETS, get_preset

# Fields that only come from a file or the Data page have no Playground control to hide.
NOT_CONTROLS = ("csv_source", "target_columns", "input_columns", "time_column")
CONTROLS = tuple(k for k in RULES if k not in NOT_CONTROLS)
NOTE_MAX = 500
FLAGS = ("lock", "presenter", "walkthrough")
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")
# The pages a lesson can open: path in the URL -> title (the Playground is the root).
PAGES = {"": "Playground", "learning_rate": "Learning rate", "huge_lr": "Huge learning rate",
         "feature_scaling": "Feature scaling", "sequence_length": "Sequence length",
         "too_few_epochs": "Too few epochs", "missing_values": "Missing values",
         "outliers": "Outliers", "spurious_feature": "Spurious feature",
         "shape_bug": "Shape bug", "data": "Your data", "sweep": "Sweep"}


@dataclass(frozen=True)
class Lesson:
    """The lesson part of a link; the default is "no lesson"."""

    hide: frozenset[str] = field(default_factory=frozenset)
    preset: str = ""
    lock: bool = False
    note: str = ""
    presenter: bool = False
    walkthrough: bool = False

    @property
    def locked(self) -> frozenset[str]:
        """The fields whose controls a locked preset disables: the ones it sets."""
        if not (self.lock and self.preset):
            return frozenset()
        return frozenset(get_preset(self.preset).changes) & frozenset(CONTROLS)

    @property
    def active(self) -> bool:
        """True when the link restricts the Playground (students, not the instructor)."""
        return bool(self.hide or self.locked)

    def base(self) -> ExperimentConfig:
        """The config the lesson starts from: its preset's, or the defaults."""
        return get_preset(self.preset).config if self.preset else ExperimentConfig()

    def apply_lock(self, config: ExperimentConfig) -> ExperimentConfig:
        """``config`` with every locked field back at the preset's value."""
        if not self.locked:
            return config
        preset = self.base().to_dict()
        return config.replace(**{k: preset[k] for k in self.locked})

    def to_query(self) -> dict[str, str]:
        out = {f"{k}_hide": "true" for k in sorted(self.hide)}
        if self.preset:
            out["preset"] = self.preset
        out.update({k: "true" for k in FLAGS if getattr(self, k)})
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
    hide, values, rest, problems = set(), {}, {}, []
    for key, raw in params.items():
        text = str(raw[-1] if isinstance(raw, list) else raw)
        try:
            if key.endswith("_hide"):
                name = key[: -len("_hide")]
                if name not in CONTROLS:
                    raise ConfigError(f"cannot hide {name[:40]!r}: no such control")
                if _flag(key, text):
                    hide.add(name)
            elif key in FLAGS:
                values[key] = _flag(key, text)
            elif key == "preset":
                if text not in PRESETS:
                    raise ConfigError(f"unknown preset {text[:40]!r} in the link")
                values["preset"] = text
            elif key == "note":
                values["note"] = clean_note(text)
            else:
                rest[key] = raw
        except ConfigError as err:
            problems.append(str(err))
    lesson = Lesson(hide=frozenset(hide), **values)
    if lesson.lock and not lesson.preset:
        problems.append("lock needs a preset to lock (preset=NAME) -- ignored")
    return lesson, rest, problems


def clean_note(text: str) -> str:
    """A note as the class will see it: no control characters, at most NOTE_MAX chars."""
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text).strip()
    return text[:NOTE_MAX]


def lesson_link(base_url: str, page: str, lesson: Lesson,
                config: ExperimentConfig | None = None) -> str:
    """The URL of a lesson: the page's path, the lesson keys, and (for the Playground)
    the config fields that differ from where the lesson starts (its preset or defaults)."""
    if page not in PAGES:
        raise ConfigError(f"unknown page {page!r}; pages: {', '.join(p or '(root)' for p in PAGES)}")
    query = {}
    if config is not None and page == "":
        start = lesson.base().to_dict()
        from .views import config_to_query

        query = {k: v for k, v in config_to_query(config).items()
                 if config.to_dict()[k] != start[k] and k not in lesson.locked}
    query.update(lesson.to_query())
    root = base_url.rstrip("/")
    return f"{root}/{page}" + (f"?{urlencode(query)}" if query else "")
