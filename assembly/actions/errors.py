class ActionError(Exception):
    """A refused action; its message is translated and shown to the person who tried it."""


class Crowded(ActionError):
    """Refused for now because too many are already at it (a full waiting room): try later."""
