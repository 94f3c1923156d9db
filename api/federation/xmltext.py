"""Text for XML documents (Atom feeds, OAI-PMH records).

XML 1.0 cannot carry C0 control characters other than tab, newline and carriage
return, nor U+FFFE/U+FFFF or lone surrogates; lxml refuses a document holding one.
An entry's text may hold a stray one pasted from a report (only NUL is refused at
write time), and one such entry must not break a feed or an OAI-PMH list for
everybody: outputs drop the characters, and a request that asks with one (Atom's
`q`) is a 422."""

from __future__ import annotations

import re

NOT_XML = re.compile("[^\\t\\n\\r\\x20-\\ud7ff\\ue000-\\ufffd\\U00010000-\\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` without the characters XML cannot carry."""
    return NOT_XML.sub("", value)
