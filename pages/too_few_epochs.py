"""Too few epochs: the broken run beside its fix, live, same seed."""

from ui.layouts import failure_page

failure_page("too_few_epochs")
