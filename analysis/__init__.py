"""Analysis over the loaded graph: address clustering and the heuristics it rests on.

Sits between the stored queries (`cypher`) and the loaders, which run clustering after each
load. The heuristics are pure functions of one transaction's view (`heuristics.views`), so a
defence expert can read and test each rule on its own.
"""
