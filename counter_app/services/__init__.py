"""Use cases: intake workflow, verification client, sync engine, sandbox servers."""
