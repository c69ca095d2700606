"""Text that came from a student (output, exception messages, file and folder names) made safe
to print, write and render, and bounded.

Such text may hold lone surrogates (an exception message, a folder name that is not UTF-8),
terminal escape sequences, bidirectional overrides and any amount of it. ``safe_text`` makes
one string valid UTF-8 without control characters and cuts it at a limit; ``bound_result``
applies it to everything a graded submission carries, with a budget for the whole submission,
so that one submission's text can neither break the class's outputs nor swell them.
"""

from __future__ import annotations

import re
from typing import Any

MESSAGE_CHARS = 4000  # one message, feedback block or note
SUBMISSION_CHARS = 200_000  # everything one submission's results say, together
NAME_CHARS = 200  # a name, e-mail, folder name
# C0 and C1 controls (tab and newline kept where lines are allowed), DEL, bidirectional
# overrides and isolates (they reorder what a reader sees), and the BOM.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def safe_text(value: object, limit: int = MESSAGE_CHARS, *, one_line: bool = False) -> str:
    """``value`` as valid UTF-8 text: surrogates (lone, or bytes of a non-UTF-8 name) become
    U+FFFD, control characters '?', and anything past ``limit`` characters is cut with a note."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > 4 * limit + 64:  # never clean megabytes to keep a few thousand characters
        text = text[: 4 * limit + 64]
        cut = True
    else:
        cut = False
    text = _SURROGATE.sub("\ufffd", text)
    if one_line:
        text = " ".join(text.split())
    text = (_CONTROL_ONE_LINE if one_line else _CONTROL).sub("?", text)
    if len(text) > limit or cut:
        text = text[:limit] + " [... cut: too long]"
    return text


def safe_name(value: object) -> str:
    """A name (a folder, a student, an e-mail) as one line of safe text."""
    return safe_text(value, NAME_CHARS, one_line=True)


class _Budget:
    def __init__(self, chars: int) -> None:
        self.left = chars

    def take(self, value: object, limit: int = MESSAGE_CHARS) -> str:
        text = safe_text(value, max(200, min(limit, self.left)))
        self.left = max(0, self.left - len(text))
        return text


def bound_result(result: Any, chars: int = SUBMISSION_CHARS) -> Any:
    """Make every string of a graded submission (engine.SubmissionResult) safe and bounded, per
    message and for the submission as a whole; returns ``result``, changed in place."""
    budget = _Budget(chars)
    result.name = safe_name(result.name)
    result.notes = [budget.take(n) for n in result.notes[:50]]
    result.modules = {safe_name(k): budget.take(v) for k, v in list(result.modules.items())[:50]}
    for function in result.functions.values():
        for check in function.checks:
            check.title = safe_text(check.title, NAME_CHARS, one_line=True)
            check.message = budget.take(check.message)
        function.output = budget.take(function.output, 4 * MESSAGE_CHARS)
    result.stdout = budget.take(result.stdout, 5 * MESSAGE_CHARS)
    return result
