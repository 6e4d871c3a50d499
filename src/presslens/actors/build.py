"""Mentions -> actors for one article: the passes, composed.

Order matters and is cheap: alias-table hits first (they decide what "Qods" or "Tel Aviv"
is), then spaCy's entities, people before everything else so that a surname spaCy calls an
ORG ("Khatibzadeh") joins its person; then a sweep for names spaCy missed, the titles and
roles written around each person's name, role aliases ("the Leader"), role descriptions
("the top general"), and last the quote stage's speakers.
"""

from __future__ import annotations

from presslens.actors.entities import NamePasses
from presslens.actors.roles import RolePasses
from presslens.actors.speakers import SpeakerPasses
from presslens.actors.state import NAME_FORMS, Actor, Mention

__all__ = ["NAME_FORMS", "Actor", "Builder", "Mention"]


class Builder(NamePasses, RolePasses, SpeakerPasses):
    """Run the passes in order (``find_actors``) then ``records()``; each pass is a method of
    the mixin named for it, all over the state of ``state.Base``."""
