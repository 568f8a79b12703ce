import json

import pytest

from lstm_lab import ConfigError, ExperimentConfig


def test_defaults_are_valid():
    assert ExperimentConfig().validate() == ExperimentConfig()


def test_json_round_trip_keeps_every_field():
    cfg = ExperimentConfig(dataset="multiscale", feature_scale_ratio=1e4, scale_inputs=False,
                           learning_rate=3e-4, seed=7)
    back = ExperimentConfig.from_json(cfg.to_json())
    assert back == cfg
    assert json.loads(cfg.to_json())["feature_scale_ratio"] == 1e4


def test_from_dict_fills_defaults_and_coerces_text():
    cfg = ExperimentConfig.from_dict({"learning_rate": "1e-5", "scale_inputs": "false",
                                      "epochs": "3", "noise": 0})
    assert cfg.learning_rate == 1e-5 and cfg.scale_inputs is False and cfg.epochs == 3
    assert isinstance(cfg.noise, float)


def test_unknown_keys_are_named():
    with pytest.raises(ConfigError, match="unknown config field.*lerning_rate.*Known fields"):
        ExperimentConfig.from_dict({"lerning_rate": 0.1})


def test_from_json_rejects_non_objects_and_bad_json():
    with pytest.raises(ConfigError, match="not valid JSON"):
        ExperimentConfig.from_json("{learning_rate: 1")
    with pytest.raises(ConfigError, match="JSON object"):
        ExperimentConfig.from_json("[1, 2]")


# One bad value per field (plus type errors), each with what the message must say.
BAD = [
    ("dataset", "cosine", "dataset must be one of sine, multiscale, seasonal, csv"),
    ("csv_source", "x" * 501, "csv_source is too long (501 characters; at most 500)"),
    ("target_columns", "a\x00b", "target_columns contains control characters"),
    ("input_columns", 3, "input_columns must be text"),
    ("time_column", "t\n", "time_column contains control characters"),
    ("date_order", "ydm", "date_order must be one of auto, dmy, mdy, ymd"),
    ("decimal_mark", ";", "decimal_mark must be one of auto, ., ,"),
    ("n_steps", 50, "n_steps = 50 is out of range: allowed 100 … 20000"),
    ("n_steps", 100.5, "n_steps must be a whole number"),
    ("noise", -0.1, "noise = -0.1 is out of range"),
    ("noise", float("nan"), "noise must be a finite number"),
    ("period", 1, "period = 1 is out of range: allowed 2 … 10000"),
    ("feature_scale_ratio", 0.5, "feature_scale_ratio = 0.5 is out of range: allowed 1 … 100000"),
    ("feature_scale_ratio", 1e6, "feature_scale_ratio = 1000000.0 is out of range"),
    ("scale_inputs", 1, "scale_inputs must be true or false"),
    ("seq_len", 0, "seq_len = 0 is out of range"),
    ("horizon", 0, "horizon = 0 is out of range: allowed 1 … 500"),
    ("units", 0, "units = 0 is out of range: allowed 1 … 512"),
    ("learning_rate", 0.0, "learning_rate = 0.0 is out of range: allowed 1e-07 … 10"),
    ("learning_rate", float("inf"), "learning_rate must be a finite number"),
    ("learning_rate", True, "learning_rate must be a number"),
    ("optimizer", "rmsprop", "optimizer must be one of adam, sgd"),
    ("batch_size", 0, "batch_size = 0 is out of range: allowed 1 … 1024"),
    ("epochs", 0, "epochs = 0 is out of range: allowed 1 … 1000"),
    ("seed", -1, "seed = -1 is out of range"),
    ("test_fraction", 0.9, "test_fraction = 0.9 is out of range: allowed 0.05 … 0.5"),
    ("missing_share", 0.6, "missing_share = 0.6 is out of range: allowed 0 … 0.5"),
    ("impute", "yes", "impute must be true or false"),
    ("outlier_share", -0.01, "outlier_share = -0.01 is out of range: allowed 0 … 0.2"),
    ("remove_outliers", None, "remove_outliers must be true or false"),
    ("spurious_feature", 0, "spurious_feature must be true or false"),
    ("shape_bug", 1.0, "shape_bug must be true or false"),
    ("difference", "no", "difference must be true or false"),
]


@pytest.mark.parametrize("field,value,message", BAD, ids=[f"{f}={v!r}" for f, v, _ in BAD])
def test_bad_value_names_field_value_and_range(field, value, message):
    with pytest.raises(ConfigError) as err:
        ExperimentConfig(**{field: value}).validate()
    assert message in str(err.value)
    assert err.value.field == field


def test_every_field_has_a_bad_value_test():
    assert {f for f, _, _ in BAD} == set(ExperimentConfig().to_dict())


@pytest.mark.parametrize("field,text,message", [
    ("learning_rate", "fast", "learning_rate must be a number"),
    ("scale_inputs", "maybe", "scale_inputs must be true or false"),
    ("epochs", "2.5", "epochs must be a whole number"),
])
def test_bad_text_values(field, text, message):
    with pytest.raises(ConfigError, match=message):
        ExperimentConfig.from_dict({field: text})


def test_window_plus_horizon_must_leave_a_training_window():
    with pytest.raises(ConfigError, match="leaves no training window") as err:
        ExperimentConfig(n_steps=200, seq_len=150, horizon=20).validate()
    assert err.value.field == "seq_len"
    ExperimentConfig(n_steps=200, seq_len=150, horizon=10).validate()  # exactly one window


def test_smallest_series_still_has_test_steps():
    # the ranges guarantee a scorable test span: 100 steps x 0.05 = 5 test targets
    cfg = ExperimentConfig(n_steps=100, test_fraction=0.05, seq_len=10).validate()
    assert cfg.n_test_steps == 5 and cfg.n_train_windows == 85


def test_config_is_frozen():
    with pytest.raises(Exception):
        ExperimentConfig().learning_rate = 1.0
