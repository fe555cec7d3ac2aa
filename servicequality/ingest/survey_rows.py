"""A survey export's rating cells -> survey_scores, survey_item_missing and survey_importance rows.

The rules (mappings/README.md, "Survey items"): a rating is a whole number on the item's scale,
stored oriented so that higher is better; a declared code ("not applicable", "don't know", "not
rated") or a blank cell is recorded as that item's missing answer and never enters a mean, nor
rejects the respondent's other answers. A SERVQUAL item with an expectation but no perception
(or the reverse) is rejected: half a pair is no gap.
"""

from __future__ import annotations

import re
from typing import Any

from servicequality.ingest.cells import parse_number
from servicequality.ingest.convert import Reject
from servicequality.ingest.read import ImportProblem, Table
from servicequality.ingest.survey_spec import ANSWERS, ItemScale, SurveySpec, code_text


def _natural(code: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code)]


class SurveyRows:
    """The rating columns of one table, found once, and the rows one source row makes."""

    def __init__(self, spec: SurveySpec, table: Table, index: dict[str, int], mapping_name: str):
        self.spec, self.t, self.index, self.mapping_name = spec, table, index, mapping_name
        self.items = self._pattern_items() + self._listed_items()
        if not self.items:
            raise ImportProblem(f"{table.file_name}: no survey item columns found; check the [survey] section")
        self.answers = {}
        for key, answer in spec.answers.items():
            if answer.column.strip() not in index:
                raise ImportProblem(
                    f"{table.file_name}: column {answer.column!r} of [survey.{key}] is not in the file; fix the name"
                )
            self.answers[key] = (answer, index[answer.column.strip()])

    def _pattern_items(self) -> list[tuple[str, str, dict[str, int]]]:
        """(item, component, {role: column index}) for the items whose columns the regexes match."""
        spec, name_of = self.spec, self.t.file_name
        found: dict[str, dict[str, int]] = {}
        for role, pattern in spec.patterns.items():
            for i, name in enumerate(self.t.header):
                match = pattern.search(name)
                if not match:
                    continue
                code = match.group("item")
                if role in found.setdefault(code, {}):
                    raise ImportProblem(
                        f"{name_of}: two columns match the {role} regex for item {code!r} "
                        f"({self.t.header[found[code][role]]!r} and {name!r}); make the regex stricter"
                    )
                found[code][role] = i
        items = []
        for code, roles in sorted(found.items(), key=lambda kv: _natural(kv[0])):
            if code not in spec.item_components:
                raise ImportProblem(
                    f"{name_of}: item {code!r} matched by the [survey] regexes has no component in "
                    f'[survey.items] of {self.mapping_name}: add "{code}" = "<component>"'
                )
            paired = "expectation" in spec.patterns
            if "perception" not in roles or (paired and "expectation" not in roles):
                half = "perception" if "perception" not in roles else "expectation"
                raise ImportProblem(f"{name_of}: item {code!r} has no {half} column; check the [survey] regexes")
            items.append((code, spec.item_components[code], roles))
        unmatched = sorted(set(spec.item_components) - set(found), key=_natural)
        if spec.patterns and unmatched:
            raise ImportProblem(
                f"{name_of}: item {unmatched[0]!r} of [survey.items] has no column matching the [survey] "
                "regexes; check the column names or remove the item"
            )
        return items

    def _listed_items(self) -> list[tuple[str, str, dict[str, int]]]:
        """The items named one by one in [[survey.item]]."""
        items = []
        for it in self.spec.items:
            roles = {}
            for role, col in it.columns.items():
                if col.strip() not in self.index:
                    raise ImportProblem(
                        f"{self.t.file_name}: column {col!r} of survey item {it.item!r} is not in the file; "
                        "fix the name in [[survey.item]]"
                    )
                roles[role] = self.index[col.strip()]
            items.append((it.item, it.component, roles))
        return items

    # One source row.
    def _cell(self, code: str, role: str, index: int, cells: list[str], scale: ItemScale) -> float | str | None:
        """A rating as a number, a declared code's reason, or None for a blank cell."""
        text = cells[index].strip()
        if text == "":
            return None
        if code_text(text) in scale.codes:
            # A declared code: the item's "not applicable" etc. for a rating; for the optional adequate
            # level or an importance, simply no answer there.
            return scale.codes[code_text(text)] if role in ("perception", "expectation") else None
        try:
            number = parse_number(text)
        except ValueError as exc:
            detail = "" if "is not a number" in str(exc) else f" ({exc})"
            raise Reject(f"{role} of item {code} is not a number{detail}", self.t.header[index], text) from None
        if role == "importance":
            if number < 0:
                raise Reject(f"importance of item {code} is negative", self.t.header[index], text)
            return number
        if number != int(number) or not scale.low <= number <= scale.high:
            codes = ", ".join(f"{c} = {r}" for c, r in scale.codes.items())
            raise Reject(
                f"{role} of item {code} out of range {scale.low}-{scale.high}"
                + (f" (codes: {codes})" if codes else ""),
                self.t.header[index],
                text,
            )
        return scale.low + scale.high - number if scale.reversed else number

    def item_rows(self, response_id: str, cells: list[str]) -> tuple[list[dict], list[dict], list[dict]]:
        """(scores, missing answers, importance) of one response."""
        scores, missing, weights = [], [], {}
        for code, component, roles in self.items:
            scale = self.spec.scale_of(code)
            values = {role: self._cell(code, role, index, cells, scale) for role, index in roles.items()}
            pair = {r: values.get(r) for r in ("perception", "expectation") if r in roles}
            coded = [r for r, v in pair.items() if isinstance(v, str)]
            if coded or all(v is None for v in pair.values()):
                # A declared code in the pair, or neither half answered: the item's answer is missing,
                # with the code as the export wrote it; the respondent's other answers stand.
                missing.append(
                    {
                        "response_id": response_id,
                        "component_key": component,
                        "item": code,
                        "reason": pair[coded[0]] if coded else "blank",
                        "code": cells[roles[coded[0]]].strip() if coded else "",
                    }
                )
                continue
            if any(v is None for v in pair.values()):
                # Half a SERVQUAL pair is no gap: a data error, rejected with the row (mappings/README.md).
                absent = next(r for r, v in pair.items() if v is None)
                present = "expectation" if absent == "perception" else "perception"
                raise Reject(f"item {code} has a {present} but no {absent}", self.t.header[roles[absent]], "")
            rated = {r: v for r, v in values.items() if isinstance(v, float) and r != "importance"}
            scores.append(
                {
                    "response_id": response_id,
                    "component_key": component,
                    "item": code,
                    "expectation": None if "expectation" not in rated else int(rated["expectation"]),
                    "perception": int(rated["perception"]),
                    "adequate": None if "adequate" not in rated else int(rated["adequate"]),
                    "scale_min": scale.low,
                    "scale_max": scale.high,
                    "reversed": scale.reversed,
                }
            )
            if isinstance(values.get("importance"), float):
                weights.setdefault(component, []).append(values["importance"])
        importance = [
            {"response_id": response_id, "component_key": c, "points": sum(v) / len(v)} for c, v in weights.items()
        ]
        return scores, missing, importance

    def answer_fields(self, record: dict[str, Any], cells: list[str]) -> dict[str, Any]:
        """satisfaction_* and recommend_* of survey_responses: the answer on the scale in force on the
        response's date; None for blank or a declared code."""
        out = {}
        for key, prefix in ANSWERS.items():
            out |= {f"{prefix}_answer": None, f"{prefix}_min": None, f"{prefix}_max": None}
            if key not in self.answers:
                continue
            answer, index = self.answers[key]
            if not answer.recorded_on(record.get("submitted_at")):
                continue  # before the export recorded it: the cell holds a placeholder, not an answer
            scale = answer.scale_on(record.get("submitted_at"))
            value = self._cell(key, key, index, cells, scale)
            if isinstance(value, float):
                out |= {f"{prefix}_answer": value, f"{prefix}_min": scale.low, f"{prefix}_max": scale.high}
        return out
