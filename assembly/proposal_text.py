"""A proposal's text as the room reads it: escaped plain paragraphs, and a change marked word
by word.

The text is never HTML: every character is escaped, then a minimal markup of our own is added:
a blank line starts a paragraph, a line break is kept, a line that starts with "- " is a list
item and *words between asterisks* are emphasised. The change from one version to the next
comes from the standard library's `difflib` over words, and is marked with <ins> and <del>,
which the stylesheet underlines and strikes through (readable without colour) and which carry a
visually hidden "inserted:"/"removed:" for screen readers.
"""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# A paragraph break, a line break, a run of spaces, a word, or one mark of punctuation (so
# "response." to "response, and" changes the mark, not the word).
_TOKENS = re.compile(r"\n[^\S\n]*\n\s*|\n|[^\S\n]+|[\w'’$€%@#&/*-]+|[^\w\s]")
_EMPHASIS = re.compile(r"\*([^*\s](?:[^*]*[^*\s])?)\*")


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text or "")


def _word(token: str) -> str:
    return _EMPHASIS.sub(r"<em>\1</em>", escape(token))


class _Writer:
    """Builds the HTML: paragraphs, list items and line breaks, with marked runs inside."""

    def __init__(self) -> None:
        self.html: list[str] = []
        self.block = ""  # "p" or "li", "" before the first word
        self.at_line_start = True
        self.run = ""  # "ins", "del" or "" (unchanged)
        self.after_marker = False  # just wrote a list item's "- "

    def _close_run(self) -> None:
        if self.run:
            self.html.append(f"</{self.run}>")
            self.run = ""

    def _close_block(self) -> None:
        self._close_run()
        if self.block == "li":
            self.html.append("</li></ul>")
        elif self.block == "p":
            self.html.append("</p>")
        self.block = ""

    def _open_block(self, token: str) -> bool:
        """Open the block a line starts with; True if `token` was the list marker it used."""
        is_item = token == "-"
        wanted = "li" if is_item else "p"
        if self.block == "li" and wanted == "li":
            self._close_run()
            self.html.append("</li><li>")
        elif self.block != wanted or not self.block:
            self._close_block()
            self.html.append("<ul><li>" if is_item else "<p>")
        elif self.block == "p":
            self._close_run()
            self.html.append("<br>")
        self.block = wanted
        self.at_line_start = False
        return is_item

    def _set_run(self, kind: str) -> None:
        if kind == self.run:
            return
        self._close_run()
        if kind:
            label = _("inserted:") if kind == "ins" else _("removed:")
            self.html.append(f'<{kind}><span class="visually-hidden">{escape(label)} </span>')
        self.run = kind

    def add(self, token: str, kind: str = "") -> None:
        if token.startswith("\n"):
            if kind == "del":
                return  # a removed line break: the words around it say enough
            if token.count("\n") > 1:
                self._close_block()
            self.at_line_start = True
            return
        if token.isspace():
            if self.after_marker:
                self.after_marker = False
                return
            if not self.at_line_start and self.block:
                self._set_run(kind if self.run == kind else "")
                self.html.append(" ")
            return
        if self.at_line_start:
            self._close_run()
            if self._open_block(token) and kind != "del":
                self.after_marker = True
                return
        self.after_marker = False
        self._set_run(kind)
        self.html.append(_word(token))

    def done(self) -> SafeString:
        self._close_block()
        return mark_safe("".join(self.html))  # noqa: S308 - every piece of text was escaped


def as_html(text: str) -> SafeString:
    """The text as escaped paragraphs (and list items, and emphasis)."""
    writer = _Writer()
    for token in _tokens(text):
        writer.add(token)
    return writer.done()


def marked(old: str, new: str) -> SafeString:
    """The new text, with the words inserted since `old` in <ins> and those removed in <del>."""
    before, after = _tokens(old), _tokens(new)
    writer = _Writer()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for token in after[j1:j2]:
                writer.add(token)
            continue
        if op in ("delete", "replace"):
            for token in before[i1:i2]:
                writer.add(token, "del")
        if op in ("insert", "replace"):
            for token in after[j1:j2]:
                writer.add(token, "ins")
    return writer.done()


def changed_words(old: str, new: str) -> tuple[int, int]:
    """How many words were inserted and removed (for a version's one-line summary)."""
    before = [t for t in _tokens(old) if not t.isspace()]
    after = [t for t in _tokens(new) if not t.isspace()]
    inserted = removed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after).get_opcodes():
        if op != "equal":
            removed += i2 - i1
            inserted += j2 - j1
    return inserted, removed
