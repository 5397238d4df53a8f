"""Every rendering of a result, in one package: estimates (`estimate`), savings options (`optimize`), catalog
queries (`catalog`), the provenance footer every output carries (`provenance`), and the width-fitting table
(`table`). The CLI parses arguments and emits what these return; the page and the report reuse the same pieces.

A renderer never computes a number: it formats what the library computed (money formats live in
`stackcost.money`).
"""
