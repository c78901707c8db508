"""Errors meant for users: their message is one clear line, shown without a traceback."""


class NqpfError(Exception):
    """Base of every error the app reports to a user as one line."""
