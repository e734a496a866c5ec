"""awskg: a knowledge graph of AWS certification study notes.

    import awskg
    kg = awskg.build(["notes/"])          # parse notes into a KnowledgeGraph
    kg = awskg.load()                     # or load graph/awskg.json ($AWSKG_GRAPH)
    kg.limits("sqs"); kg.search("lamda timout"); kg.entity("DDB"); kg.related("lambda")
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import AwskgError, GraphFileError, InputError, OutputError, UnknownEntity, UsageError  # noqa: E402
from .graph import KnowledgeGraph, load  # noqa: E402
from .model import Card, Entity, Hit, Limit, Neighbour, NoteLine, Source  # noqa: E402


def build(paths, **kwargs) -> KnowledgeGraph:  # noqa: ANN001 - documented in build.build
    """Build the graph of notes files and/or folders (see awskg.builder.build)."""
    from .builder import build as _build

    return _build(paths, **kwargs)


__all__ = [
    "AwskgError",
    "Card",
    "Entity",
    "GraphFileError",
    "Hit",
    "InputError",
    "KnowledgeGraph",
    "Limit",
    "Neighbour",
    "NoteLine",
    "OutputError",
    "Source",
    "UnknownEntity",
    "UsageError",
    "__version__",
    "build",
    "load",
]
