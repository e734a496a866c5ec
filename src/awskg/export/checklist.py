"""The study checklist: an exam guide's in-scope services that the notes never name (missing) or
name without explaining (thin), as a Markdown task list grouped as the guide groups them.

    awskg export --missing --exam DVA-C02 --format markdown -o todo.md

Names come through `sheet.md`, so a name holding Markdown or HTML shows as typed.
"""

from __future__ import annotations

from ..study.coverage import CoverageReport, ServiceCoverage
from .sheet import md


def checklist(report: CoverageReport) -> str:
    """The missing and thin services of `report` as a Markdown checklist, one task per service."""
    exam = report.exam
    out = [f"# {md(exam.code)} study checklist: what your notes miss", ""]
    out.append(f"{md(exam.title)}. {report.summary}.")
    out.append(f"Exam guide: <{exam.url}>" if exam.url else "Exam guide: not given")
    out += ["", "Services the exam guide puts in scope that your notes never name (missing) or name "
                "without explaining (thin). Tick each off once your notes explain it.", ""]
    todo = report.to_study()
    if not todo:
        return "\n".join(out + ["Nothing to add: your notes cover every in-scope service.", ""])
    for group in exam.groups:
        items = [s for s in todo if s.group == group]
        if items:
            out += [f"## {md(group)}", "", *(_task(s) for s in items), ""]
    return "\n".join(out)


def _task(s: ServiceCoverage) -> str:
    guide = f" (the guide: {md(s.guide)})" if s.guide and s.guide != s.name else ""
    if s.status == "missing":
        line = f"- [ ] **{md(s.name)}**{guide}: missing, your notes never name it."
        if s.nearby:
            line += " Nearby in your notes: " + ", ".join(md(name) for _n, name in s.nearby) + "."
        return line
    where = f", first on line {s.first.line} of {md(s.first.file)}" if s.first else ""
    lines = f"{s.lines} line{'s' * (s.lines != 1)}"
    return f"- [ ] **{md(s.name)}**{guide}: thin, named on {lines}{where}, never explained."
