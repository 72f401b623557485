"""Cross-case analyses over a project, returned as plain data.

One module per concept: `scope` (documents, filters, columns, whose codings
count), `passes` (streaming codings per document), `theme`, `frequencies`,
`framework`, `cooccurrence`, `saturation`, `overview` (everything the report
shows) and `records` (codings for export). The command line, the TUI and the
exporters share them.
"""
