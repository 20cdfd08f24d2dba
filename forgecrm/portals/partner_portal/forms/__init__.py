"""Forms of the partner portal: parse and check input, never decide anything (the operations do)."""
