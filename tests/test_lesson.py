"""Lesson links: parsing, round trips and clear messages (no Streamlit)."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from lstm_lab import ConfigError, ExperimentConfig
from lstm_lab.lesson import CONTROLS, NOTE_MAX, Lesson, clean_note, lesson_link, split_query
from lstm_lab.presets import get_preset


def test_lesson_keys_are_split_from_config_keys():
    lesson, rest, problems = split_query({
        "learning_rate": "1e-4", "batch_size_hide": "true", "seed_hide": "1",
        "noise_hide": "false", "preset": "lr_too_small", "lock": "yes", "note": "hi",
        "presenter": "true", "walkthrough": "0"})
    assert problems == []
    assert rest == {"learning_rate": "1e-4"}
    assert lesson == Lesson(hide=frozenset({"batch_size", "seed"}), preset="lr_too_small",
                            lock=True, note="hi", presenter=True, walkthrough=False)
    assert lesson.locked == {"learning_rate"} and lesson.active


@pytest.mark.parametrize("params,message", [
    ({"color_hide": "true"}, "cannot hide 'color': no such control"),
    ({"csv_source_hide": "true"}, "cannot hide 'csv_source'"),
    ({"seed_hide": "maybe"}, "seed_hide must be true or false"),
    ({"preset": "nope"}, "unknown preset 'nope'"),
    ({"presenter": "2"}, "presenter must be true or false"),
    ({"lock": "true"}, "lock=true needs a preset"),
    ({"lock": "colour"}, "cannot lock 'colour': no such control"),
    ({"doktor_hide": "true"}, "cannot hide 'doktor': no such control or panel"),
])
def test_bad_lesson_keys_are_one_line_each(params, message):
    lesson, _, problems = split_query(params)
    assert len(problems) == 1 and message in problems[0]
    assert not lesson.active


def test_panels_hide_and_named_knobs_lock():
    lesson, rest, problems = split_query({
        "doctor_hide": "true", "preflight_hide": "1", "lr_find_hide": "false",
        "lock": "seq_len, epochs", "seq_len": "30"})
    assert problems == [] and rest == {"seq_len": "30"}
    assert lesson.hide_panels == {"doctor", "preflight"} and not lesson.hide
    assert lesson.locked == {"seq_len", "epochs"} and lesson.active
    # a knob locked by name holds the link's value: apply_lock leaves it alone ...
    config = ExperimentConfig(seq_len=30)
    assert lesson.apply_lock(config) == config
    # ... and the link keeps it, with the lock and the hidden panels
    link = lesson_link("http://h/", "", lesson, config)
    again, rest, _ = split_query(dict(parse_qsl(urlsplit(link).query)))
    assert again == lesson and rest == {"seq_len": "30"}


def test_lock_holds_the_presets_knobs_and_nothing_else():
    lesson = Lesson(preset="window_too_short", lock=True)
    preset = get_preset("window_too_short").config
    moved = preset.replace(seq_len=200, epochs=7)
    held = lesson.apply_lock(moved)
    assert held.seq_len == preset.seq_len and held.epochs == 7
    assert Lesson(preset="window_too_short").locked == frozenset()  # no lock, nothing held


def test_a_link_round_trips_its_lesson_and_only_the_changed_config():
    lesson = Lesson(hide=frozenset({"seed", "units"}), note="Try a longer window",
                    presenter=True)
    config = ExperimentConfig(seq_len=80, learning_rate=5e-4)
    link = lesson_link("http://host:8501/", "", lesson, config)
    parts = urlsplit(link)
    assert parts.path == "/"
    query = dict(parse_qsl(parts.query))
    again, rest, problems = split_query(query)
    assert again == lesson and problems == []
    assert rest == {"seq_len": "80", "learning_rate": "0.0005"}


def test_a_link_to_a_failure_page_carries_no_config():
    link = lesson_link("http://host/", "lr_too_small", Lesson(walkthrough=True),
                       ExperimentConfig(seq_len=80))
    assert link == "http://host/lr_too_small?walkthrough=true"
    with pytest.raises(ConfigError, match="unknown page"):
        lesson_link("http://host/", "../etc", Lesson())


def test_notes_lose_control_characters_and_stay_short():
    assert clean_note("  a\x00b\x1bc\n  ") == "abc"
    assert len(clean_note("x" * 10_000)) == NOTE_MAX
    assert "dataset" in CONTROLS and "csv_source" not in CONTROLS


# --- lesson integrity: links with a host, no answer in the link, old names --------------------
@pytest.mark.parametrize("page_url,root", [
    ("http://127.0.0.1:8501", "http://127.0.0.1:8501/"),  # the Playground: no slash
    ("http://127.0.0.1:8501/", "http://127.0.0.1:8501/"),
    ("https://lab.example.org/window_too_short", "https://lab.example.org/"),
    ("http://h:8501/sweep", "http://h:8501/"),
    ("http://h/lab", "http://h/lab/"),  # served under a base path
    ("http://h/lab/lr_too_small", "http://h/lab/"),
])
def test_app_root_keeps_scheme_host_port_and_base_path(page_url, root):
    from lstm_lab.lesson import app_root

    assert app_root(page_url) == root


def test_a_lesson_link_built_on_the_playground_has_a_host():
    from lstm_lab.lesson import app_root

    link = lesson_link(app_root("http://127.0.0.1:8501"), "", Lesson(hide_panels=frozenset(
        {"doctor"})))
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:8501", "/")


def test_a_preset_lesson_link_names_no_preset_and_reopens_the_same_config_and_locks():
    lesson = Lesson(preset="window_too_short", lock=True, hide_panels=frozenset({"doctor"}))
    link = lesson_link("http://h/", "", lesson)
    assert "window" not in link and "preset" not in link and "short" not in link
    again, rest, problems = split_query(dict(parse_qsl(urlsplit(link).query)))
    from lstm_lab.views import config_from_query

    config, _ = config_from_query(rest)
    assert problems == [] and config == get_preset("window_too_short").config
    assert again.locked == lesson.locked and again.hide_panels == {"doctor"}


def test_old_preset_names_keep_working():
    lesson, _, problems = split_query({"preset": "short-window", "lock": "true"})
    assert problems == [] and lesson.preset == "window_too_short" and lesson.locked
    assert get_preset("tiny-lr-fixed").name == "lr_too_small_fixed"
    assert get_preset("diverging").name == "lr_too_large_sgd"


def test_a_lesson_that_hides_anything_hides_the_failure_menu_unless_told():
    assert not Lesson().menu_hidden and not Lesson(lock_fields=frozenset({"seed"})).menu_hidden
    assert Lesson(hide_panels=frozenset({"doctor"})).menu_hidden
    assert Lesson(hide=frozenset({"seed"})).menu_hidden
    keep = Lesson(hide_panels=frozenset({"doctor"}), menu_hide=False)
    assert not keep.menu_hidden
    again, _, problems = split_query(keep.to_query())
    assert problems == [] and again == keep
