"""What the faces (CLI, app) say beside a search's hits when the notes cannot answer the query
itself: a service it names that the notes never name, or one they name but say nothing of that
matches. Plain text; imports nothing heavy, so a cold `awskg search` stays cheap."""

from __future__ import annotations

from .model import Hit


def not_in_notes(services: list[str], results: bool = True) -> str:
    """`API Gateway is not in your notes; the nearest matches are below.`, or "" when every
    service a query names is in the notes."""
    if not services:
        return ""
    names = " and ".join([", ".join(services[:-1]), services[-1]] if len(services) > 1 else services)
    text = f"{names} {'are' if len(services) > 1 else 'is'} not in your notes"
    return f"{text}; the nearest matches are below." if results else f"{text}."


def elsewhere(named: list[tuple[str, list[str], bool]], hits: list[Hit]) -> str:
    """`Nothing your notes say of API Gateway matches this; the first hits are of other services.`:
    the query names services the notes hold, and the best hit is of none of them (a student
    asking for API Gateway's timeout is not to read SQS's as the answer); or the best value is of
    none of them. "" otherwise."""
    present = [(name, family) for name, family, in_notes in named if in_notes]
    if not present or not hits:
        return ""
    own = {n.lower() for _name, family in present for n in family}

    def owned(hit: Hit) -> bool:
        return (hit.service or "").lower() in own or (hit.type == "service" and hit.name.lower() in own)

    names = " or ".join(name for name, _family in present)
    if not owned(hits[0]):
        return f"Nothing your notes say of {names} matches this; the first hits are of other services."
    first_value = next((h for h in hits if h.type == "limit"), None)
    if first_value is not None and not owned(first_value):
        return f"No value your notes give for {names} matches this; the values below are of other services."
    return ""
