"""Word documents in and out (docs/word.md): `format` is what writer and reader share,
`writer` builds the DOCX, `reader` reads a filled one back, `matching` finds each answer's
question."""
