"""Sales forms, one module per area (leads.py, pipeline.py, ...); versioned edits use platform.forms.VersionedForm."""
