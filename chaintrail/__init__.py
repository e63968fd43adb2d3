"""chaintrail: graph analytics for cryptocurrency crime investigation.

`chaintrail.settings` and `chaintrail.errors` are leaves that every layer may import;
`chaintrail.cli` sits on top and composes the layers below (api, loaders, cypher, db).
"""

__version__ = "0.1.0"
