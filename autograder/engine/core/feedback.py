"""What a student reads about one function: assembled here once, shown by every channel.

check.py, `make grade` (results.json, feedback/*.md and .html, the class report) and Gradescope
(each function's entry and "Public Tests") all render :class:`FunctionFeedback`, so a wording
fixed here is fixed everywhere. A function's feedback is its checks (passed, failed, or not
judged because a precondition did not hold), all of them or the public ones only, and the hint
that a function it relies on lost points too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from autograder.engine.core.compare import GENERIC
from autograder.engine.core.contract import callees_of, reaches
from autograder.engine.core.framework import CheckResult

DIAGNOSIS = "Likely mistake: "
INDENT = "       "
NOT_IMPLEMENTED = "not implemented yet"
NOT_JUDGED = "not judged yet"
WAITS_FOR = re.compile(r"\b([a-z_0-9]+) failed: " + NOT_IMPLEMENTED)


def is_judged(check: CheckResult) -> bool:
    """Whether the check was judged (an earlier run's results may lack the flag: its message
    says so then)."""
    return check.passed or (check.judged and not check.message.startswith(NOT_JUDGED))


def lost_points(checks: dict[str, list[CheckResult]], public_only: bool = False) -> set[str]:
    """The functions with a failed check (a failed public one, with ``public_only``: what a
    student may be told before hidden results are shown)."""
    return {f for f, done in checks.items()
            if any(not c.passed and (c.public or not public_only) for c in done)}


def diagnosis(message: str) -> str:
    """The known mistake a failed check's message names ('' when none)."""
    found = message.partition(DIAGNOSIS)[2].strip()
    return found.splitlines()[0] if found else ""


@dataclass
class FunctionFeedback:
    """The feedback of one function: ``checks`` are the ones shown (all, or the public ones)."""

    function: str
    checks: list[CheckResult]
    relies_on: list[str] = field(default_factory=list)  # usual callees that lost points too
    module_problem: str = ""  # why its module could not be used, when that is not every message

    @classmethod
    def of(cls, function: str, checks: list[CheckResult], failed: set[str],
           usually_calls: tuple[str, ...] = (), module_problem: str = "",
           policy: str = "correct") -> FunctionFeedback:
        """With correct callees (the rubric's ``callees``) a function is judged on its own
        code: no hint about what it calls; train, run end to end, names what it relies on
        directly or not."""
        if callees_of(function, policy):
            usually_calls = ()
        elif function == "train":
            usually_calls = tuple(dict.fromkeys([*usually_calls, *sorted(reaches(function))]))
        return cls(function, checks, [f for f in usually_calls if f in failed], module_problem)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def not_implemented(self) -> bool:
        """Nothing of it can run yet: every check fails on a NotImplementedError (its own, or
        that of a function it needs)."""
        return (bool(self.checks) and not any(c.passed for c in self.checks)
                and all(NOT_IMPLEMENTED in c.message for c in self.checks))

    @property
    def waits_for(self) -> list[str]:
        """The other functions whose NotImplementedError its checks ran into."""
        found = {m for c in self.checks for m in re.findall(WAITS_FOR, c.message)}
        return sorted(found - {self.function})

    def not_implemented_line(self) -> str:
        """The one line said about a function that cannot run yet."""
        own = f"{self.function} failed: {NOT_IMPLEMENTED}"
        mine = next((c.message for c in self.checks if c.message.startswith((own, NOT_IMPLEMENTED))),
                    "")
        waits = ", ".join(self.waits_for)
        if mine:
            return mine + (f"; its checks also need {waits}" if waits else "")
        return f"{self.function} cannot be checked yet: it needs {waits}, {NOT_IMPLEMENTED}."

    @property
    def verdict(self) -> str:
        """"passed", "not implemented" or "failed"."""
        return ("passed" if self.passed else "not implemented" if self.not_implemented
                else "failed")

    @property
    def failed_count(self) -> int:
        return sum(not c.passed for c in self.checks)

    def note(self) -> str:
        """The hint that functions it usually relies on lost points too ('' when none did)."""
        if self.passed or self.not_implemented or not self.relies_on:
            return ""
        if self.function == "train":
            return (f"Note: train runs your own functions end to end, so "
                    f"{', '.join(self.relies_on)}, which lost points in "
                    f"{'its' if len(self.relies_on) == 1 else 'their'} own checks, may cost "
                    "points here too (once, here).")
        return (f"Note: {self.function} usually relies on {', '.join(self.relies_on)}, which "
                "also lost points: fix those first, this may then pass too.")

    def shown_messages(self) -> list[str]:
        """Per check, what is said about it ('' for a passed check, or when it would repeat
        something already said): one diagnosis per failure, none repeated."""
        judged_failure = any(not c.passed and is_judged(c) for c in self.checks)
        said: list[str] = []
        named: list[str] = []
        shown = []
        for c in self.checks:
            text = c.message or "this check failed."
            if c.passed or (not is_judged(c) and judged_failure):
                shown.append("")  # its title says when it is judged; the failure is said above
                continue
            found = diagnosis(text)
            if found and (found in named or (found.startswith(GENERIC) and named)):
                text = text.partition(DIAGNOSIS)[0].rstrip()  # already diagnosed above
            elif found:
                named.append(found)
            shown.append("" if text in said else text)
            said.append(text)
        return shown

    def case_text(self, check: CheckResult) -> str:
        """What a failed check says where it is shown on its own (an Otter case): as in the
        function's block, or its whole message where the block points above; then the hint."""
        said = dict(zip(map(id, self.checks), self.shown_messages())).get(id(check))
        note = self.note()
        return (said or check.message or "this check failed.") + (f"\n{note}" if note else "")

    def check_lines(self) -> list[str]:
        """One line per check ([PASS], [FAIL] or [NOT JUDGED] and its title), each failure's
        feedback under it, said once."""
        if self.not_implemented:
            return [self.not_implemented_line()]
        messages = {c.message for c in self.checks if not c.passed}
        if len(self.checks) > 1 and not any(c.passed for c in self.checks) and len(messages) == 1:
            # one cause (a module that cannot be imported, ...): every title, the cause once
            return [f"[FAIL] {c.title}" for c in self.checks] + [
                INDENT + line for line in messages.pop().splitlines()]
        lines = []
        for c, text in zip(self.checks, self.shown_messages()):
            mark = "PASS" if c.passed else "FAIL" if is_judged(c) else "NOT JUDGED"
            same = not c.passed and not text and is_judged(c)
            lines.append(f"[{mark}] {c.title}" + (" (the same problem as above)" if same else ""))
            lines += [INDENT + line for line in text.splitlines()]
        return lines

    def lines(self) -> list[str]:
        """Everything below the channel's heading: the module problem, the checks, the hint."""
        note = self.note()
        return ([self.module_problem] if self.module_problem else []) + self.check_lines() + (
            [note] if note else [])

    def text(self, score: float, max_score: float) -> str:
        """The function's whole feedback with its score (results.json, feedback files, its
        Gradescope entry)."""
        def shown(points: float) -> str:  # 0.7778 -> 0.78, 4.0 -> 4
            return f"{round(points, 2):g}"

        return "\n".join([f"{self.function}: {shown(score)} / {shown(max_score)} points",
                          *self.lines()])

    def public_text(self, hidden: int, later: str) -> str:
        """The function's block in Gradescope's "Public Tests": about its public checks only, so
        it never says the function passed; ``later`` says when its hidden checks are shown."""
        n = len(self.checks)
        its = f"its {n} public check{'s' if n != 1 else ''}"
        head = (f"{self.function}: failed {self.failed_count} of {its}" if self.failed_count
                else f"{self.function}: passed {its}")
        lines = [head, *self.lines()]
        if hidden:
            others = "other check is" if hidden == 1 else "other checks are"
            lines.append(f"Its {hidden} {others} hidden: not counted in anything shown now; "
                         f"{later}.")
        return "\n".join(lines)
