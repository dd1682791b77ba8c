"""Counted nouns for what the learner reads: "1 day", "2 days", never "1 day(s)" (issue 32)."""


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural (`many`, else noun + "s") unless count is 1."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"
