"""What the doctor could not read: the two ways it says so.

:class:`DoctorInputError` is raised by the readers (:mod:`.fit_data`) for data they cannot
read; the message says what was given and what is needed. :class:`DoctorWarning` is how the
Keras callback tells the user -- a problem it sees before training (a target/output shape
that the loss will broadcast), or a measurement it could not take. Imports nothing: every
module of the doctor may use these.
"""


class DoctorInputError(ValueError):
    """Data the doctor cannot read; the message says what was given and what it needs."""


class DoctorWarning(UserWarning):
    """A problem the doctor sees before training (the target/output shape check), or a
    measurement it could not take."""
