"""chaintrail: graph analytics for cryptocurrency crime investigation.

`chaintrail.settings`, `chaintrail.errors` and `chaintrail.runtime` are leaves that every
layer may import; `chaintrail.cli` sits on top and composes the layers below (api, loaders,
cypher, db).
"""

__version__ = "0.1.0"
