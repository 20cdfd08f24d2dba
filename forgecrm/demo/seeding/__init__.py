"""Writes the generated demo rows: headquarters through the platform operations, the volume in bulk."""
