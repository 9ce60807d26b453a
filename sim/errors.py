"""The one kind of error a user causes: a wrong file, key, value, flag or output folder.

Every such error subclasses :class:`UserError`; the command line prints its message as one
line and exits with status 2, and nothing is written. Anything else is an internal fault.
Kept free of imports so the command line can catch these without loading anything heavy.
"""


class UserError(Exception):
    """A user mistake, reported in one line (exit status 2)."""
