"""Kandel–Moles (the French Flesch reading ease) without touching textstat's process-wide language.

`textstat.set_lang` changes a module-level object every other test shares; this private
instance keeps French to itself.
"""

import re

from textstat.textstat import textstatistics

_FRENCH = textstatistics()
_FRENCH.set_lang("fr")
KANDEL_MOLES_MIN = 60


_URL = re.compile(r"https?://\S+?(?=[.,;:)]?(?:\s|$))")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def kandel_moles(text: str) -> float:
    """207 - 1.015 x words per sentence - 73.6 x syllables per word (textstat's "fr" constants).

    A web address is read as "ce lien" and an e-mail address as "cette adresse": cut into
    syllables they would count as one word of twenty.
    """
    return _FRENCH.flesch_reading_ease(_EMAIL.sub("cette adresse", _URL.sub("ce lien", text)))
