"""The base of every config model: unknown keys, lax types and unbounded numbers are refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Strict(BaseModel):
    # strict: "8" is not a number and 1.0 is not a count; no inf or nan anywhere. Every number
    # below has bounds: a value past them is a typo, and would hang or overflow a run.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
