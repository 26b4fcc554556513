"""The one error type of the rules engine: Chinese message, rule ID attached; and what a cell
whose rule failed starts with."""
from __future__ import annotations

ERROR_PREFIX = "错误："          # what a cell (or a quote line) whose rule failed starts with


class RuleError(ValueError):
    """Bad input or a rule that refuses the case. ``str(e)`` is the Chinese message with the
    rule ID in full-width brackets, e.g. ``代收金额不能为负数（COD-1）``."""

    def __init__(self, message: str, rule: str | None = None) -> None:
        self.message = message
        self.rule = rule
        text = f"{message}（{rule}）" if rule and rule not in message else message
        super().__init__(text)
