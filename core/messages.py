"""Messages for people, written in English and marked for translation: `N_` and `Message`.

Services in `actors/` and `content/` know nothing of languages. When they have something to
tell a person (a form error, a refusal), they write `N_("Use at most %(max)s characters.",
max=500)`. The result is a `Message`: a plain `str` holding the English text with the values
filled in — what logs, the Mastodon API and older code see — that also remembers its msgid
and its values, so the web layer can look the msgid up in the reader's language and fill the
values in again. `pybabel extract` finds every `N_` call (see babel.cfg).

Placeholders are Python's named `%(name)s`, as in the templates. A value may itself be a
`Message` (a phase's name inside a sentence); it is translated first.
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """An English message (the string itself) with its msgid and values kept for translation."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> Message:
        values = params or {}
        text = msgid % values if values else msgid
        self = super().__new__(cls, text)
        self.msgid = msgid
        self.params = values
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.msgid, self.params))


def N_(msgid: str, **params: Any) -> Message:
    """Mark `msgid` for translation and fill in `params`; translation happens where it is shown."""
    return Message(msgid, params)


def message_of(exc: BaseException) -> str:
    """The message an exception was raised with, still a `Message` when it was one."""
    if exc.args and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc)
