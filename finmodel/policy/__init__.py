"""Rules as code: the policy set (dated, cited values by concept) and the rules that use them."""

from .difficulty import tiered_difficulty
from .grades import GRADES, grades
from .params import Policy, PolicyValue, load_policy
from .rewards import RewardLine, reward_line

__all__ = ["GRADES", "Policy", "PolicyValue", "RewardLine", "grades", "load_policy", "reward_line",
           "tiered_difficulty"]
