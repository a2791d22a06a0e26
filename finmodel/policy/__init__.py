"""Rules as code: dated, cited policy parameters and the rules that use them."""

from .difficulty import tiered_difficulty
from .grades import GRADES, grades
from .params import Parameter, parameter
from .rewards import RewardLine, reward_line

__all__ = ["GRADES", "Parameter", "RewardLine", "grades", "parameter", "reward_line",
           "tiered_difficulty"]
