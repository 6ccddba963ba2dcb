"""Text rules every layer shares: which characters a terminal acts on, and names made safe to show.

The input layer refuses these characters in one-line fields of the CSV format; the views escape them
before text from the data reaches a terminal.
"""

from __future__ import annotations

import re

__all__ = ["CONTROL_CHARACTERS", "TERMINAL_CONTROLS", "terminal_safe"]

#: Control characters a terminal acts on (all C0 but tab and newline, DEL, C1) and the bidirectional
#: overrides that reorder what is shown, as the body of a regular-expression character class.
CONTROL_CHARACTERS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
TERMINAL_CONTROLS = re.compile(f"[{CONTROL_CHARACTERS}]")


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on written as its escape, so that names from
    the data can neither move the cursor, retitle the window nor reorder a line.

    >>> print(terminal_safe("Parler\x1b]0;owned\x07 \u202egnp.exe"))
    Parler\\x1b]0;owned\\x07 \\u202egnp.exe
    """
    return TERMINAL_CONTROLS.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)
