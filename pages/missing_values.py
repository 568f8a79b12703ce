"""Missing values: the broken run beside its fix, live, same seed."""

from ui.layouts import failure_page

failure_page("missing_values")
