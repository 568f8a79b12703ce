"""Hostile input, generated: any config dict, CLI flag value or query string ends in a
validated config or one clear message -- never a traceback.

CI runs a few dozen cases per property; ``LSTM_LAB_FUZZ=500 python -m pytest
tests/test_fuzz.py`` runs 500 each.
"""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_lab import ConfigError, ExperimentConfig
from lstm_lab.cli import build_parser, config_from_args
from lstm_lab.config import RULES
from lstm_lab.views import config_from_query

CASES = int(os.environ.get("LSTM_LAB_FUZZ", "60"))
FUZZ = settings(max_examples=CASES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# anything JSON or a form can carry, biased towards the edges of the real ranges
EDGE = [0, -1, 1, 2**31, 1e-8, 1e6, float("nan"), float("inf"), -0.0, True, False, None,
        "", " ", "1e3", "0x10", "NaN", "true", "<script>", "co2", "/etc/passwd", "a\x00b"]
VALUES = st.one_of(st.sampled_from(EDGE), st.integers(), st.floats(), st.text(max_size=30),
                   st.booleans(), st.lists(st.integers(), max_size=2))
FIELDS = st.sampled_from(list(RULES) + ["colour", "", "__class__"])


@FUZZ
@given(st.dictionaries(FIELDS, VALUES, max_size=5))
def test_config_from_any_dict_is_valid_or_one_message(data):
    try:
        config = ExperimentConfig.from_dict(data)
    except ConfigError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert config.validate() is config
        assert ExperimentConfig.from_json(config.to_json()) == config


@FUZZ
@given(st.dictionaries(FIELDS, st.one_of(st.text(max_size=30), st.sampled_from(
    [str(e) for e in EDGE])), max_size=6))
def test_query_string_always_gives_a_runnable_config(params):
    config, problems = config_from_query(params)
    assert config.validate() is config
    assert all(isinstance(p, str) and p for p in problems)
    assert config.dataset != "csv" or config.csv_source in ("", "co2")  # never a path


LESSON_KEYS = st.sampled_from(["preset", "lock", "note", "presenter", "walkthrough",
                               "seed_hide", "noise_hide", "colour_hide", "_hide",
                               "learning_rate", "seq_len"])


@FUZZ
@given(st.dictionaries(LESSON_KEYS, st.one_of(st.text(max_size=40), st.sampled_from(
    ["true", "false", "lr_too_small", "window_too_short", "1", "maybe"] + [str(e) for e in EDGE])),
    max_size=6))
def test_lesson_link_keys_give_a_lesson_and_a_runnable_config(params):
    from lstm_lab.lesson import split_query

    lesson, rest, problems = split_query(params)
    assert all(isinstance(p, str) and p and "\n" not in p for p in problems)
    assert "\x00" not in lesson.note and len(lesson.note) <= 500
    config, _ = config_from_query(rest, base=lesson.base())
    assert lesson.apply_lock(config).validate()


@FUZZ
@given(st.lists(st.tuples(st.sampled_from([f"--{f.replace('_', '-')}" for f in RULES]
                                          + ["--preset", "--csv", "--target", "--bogus"]),
                          st.text(max_size=12)), max_size=4))
def test_cli_flags_give_a_config_or_one_message(pairs):
    argv = ["preflight"] + [a for pair in pairs for a in pair]
    try:
        config = config_from_args(build_parser().parse_args(argv))
    except ConfigError as err:
        assert str(err) and "\n" not in str(err).strip()
    else:
        assert config.validate() is config


def test_server_config_keeps_xsrf_on_and_uploads_bounded():
    import tomllib
    from pathlib import Path

    from lstm_lab.tabular import MAX_BYTES

    conf = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml")
                         .read_text())
    assert conf["server"]["enableXsrfProtection"] is True
    assert conf["server"]["maxUploadSize"] * 2**20 == MAX_BYTES
