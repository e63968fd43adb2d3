"""Attribution tags: GraphSense TagPacks and OFAC-style address lists, as
`(:Tag)-[:TAGS]->(:Address)` (Bitcoin) and `(:Tag)-[:TAGS]->(:Account)` (Ethereum).

`tagpack` and `lists` turn files into validated `Tag` rows and report invalid entries (pure);
`load` detects what a file is and writes the rows in batches (`cypher/load/tags/tags.cypher`,
`cypher/load/tags/eth_tags.cypher`).
"""

from loaders.tags.lists import ListDefaults, read_list
from loaders.tags.load import TagLoader, TagSummary, detect, iter_files, read_file
from loaders.tags.model import (
    CONFIDENCE_LEVELS,
    FileResult,
    Problem,
    Tag,
    UnsupportedFile,
    check_address,
    eip55_checksum,
    tag_id,
)
from loaders.tags.tagpack import parse_tagpack, read_tagpack

__all__ = [
    "CONFIDENCE_LEVELS",
    "FileResult",
    "ListDefaults",
    "Problem",
    "Tag",
    "TagLoader",
    "TagSummary",
    "UnsupportedFile",
    "check_address",
    "detect",
    "eip55_checksum",
    "iter_files",
    "parse_tagpack",
    "read_file",
    "read_list",
    "read_tagpack",
    "tag_id",
]
