"""The pipeline's stages: each module is one stage, a plain function plus a thin Prefect task."""

from config.runtime import apply_prefect_defaults

apply_prefect_defaults()
