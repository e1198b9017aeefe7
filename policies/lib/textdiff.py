"""Word-level diffs of long text (policy versions, history), shared by the admin and the site."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old, new):
    """A list of (op, text) with op in {"equal", "insert", "delete"}; whitespace is kept."""
    a = _TOKENS.findall(old or "")
    b = _TOKENS.findall(new or "")
    out = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            out.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(("insert", "".join(b[j1:j2])))
    return out


def word_diff_html(old, new):
    """The diff as HTML: <del> and <ins> around changed words, everything escaped."""
    parts = []
    for op, text in word_diff(old, new):
        if op == "equal":
            parts.append(escape(text))
        elif op == "delete":
            parts.append(f"<del>{escape(text)}</del>")
        else:
            parts.append(f"<ins>{escape(text)}</ins>")
    return mark_safe("".join(parts))
