class ActionError(Exception):
    """A refused action; its message is translated and shown to the person who tried it."""
