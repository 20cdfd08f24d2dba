"""HTML entry points of the catalog: parse, resolve the actor's scoped objects, call one operation or query, render."""
