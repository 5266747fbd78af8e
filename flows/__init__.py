"""Prefect flows: they orchestrate the stages in tasks/ and hold no logic of their own."""

import tasks  # noqa: F401  (sets Prefect's environment before prefect is imported)
