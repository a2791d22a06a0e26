"""Rules as code: dated, cited policy parameters and the rules that use them."""

from .difficulty import tiered_difficulty
from .params import Parameter, parameter

__all__ = ["Parameter", "parameter", "tiered_difficulty"]
