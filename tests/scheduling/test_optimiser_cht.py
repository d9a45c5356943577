"""`manage.py optimise_cht` on CHT-I instances, every solution judged by an independent checker.

The checker below reads the dataset's own description (tests/fixtures/cht-i/README.md) and shares no
code with the solver: it replays the schedule slot by slot and counts every resource itself.
"""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cht-i"


def check_cht_solution(instance: dict, solution: dict) -> list[str]:
    """Every broken rule of `solution` for `instance`, as sentences (empty: feasible)."""
    param, demands = instance["param"], instance["demands"]
    days, slots = param["days"], param["numTimeSlots"]
    y, seats = param["multitasks"], param["numMaterials"]
    a_len, b_len = param["consultationLength"], param["installationLength"]
    problems = []
    rows = {(r["patient"], r["appointment"]): r for r in solution["appointments"]}
    wanted = {(p, k) for p, d in enumerate(demands) for k in range(len(d["rdvDemands"]))}
    if set(rows) != wanted or len(rows) != len(solution["appointments"]):
        problems.append("appointments missing, extra or repeated")
        return problems
    installing, monitoring, consulting, seat_use = {}, {}, {}, {}
    total = 0
    for p, demand in enumerate(demands):
        previous_day = None
        for k, rdv in enumerate(demand["rdvDemands"]):
            r = rows[(p, k)]
            d = r["day"]
            if not 1 <= d <= days:
                problems.append(f"{p}/{k}: day {d} outside 1..{days}")
            if previous_day is not None and d - previous_day != rdv["afterLastRequest"]:
                problems.append(
                    f"{p}/{k}: {d - previous_day} days after the previous, not {rdv['afterLastRequest']}"
                )
            previous_day = d
            ready = 0
            if rdv["needingConsultation"]:
                c = r["consultation"]
                if c is None or c < 0 or c + a_len > slots:
                    problems.append(f"{p}/{k}: consultation missing or outside the day")
                    continue
                for h in range(c, c + a_len):
                    key = (rdv["sectorId"], d, h)
                    consulting[key] = consulting.get(key, 0) + 1
                ready = c + a_len
            elif r["consultation"] is not None:
                problems.append(f"{p}/{k}: a consultation that is not needed")
            b, o = r["installation"], r["monitoring"]
            treat = rdv["treatmentDuration"]
            if b < ready:
                problems.append(f"{p}/{k}: installation before the consultation ends")
            if b + b_len > o:
                problems.append(f"{p}/{k}: monitoring starts before installation ends")
            if o + treat > slots or b < 0:
                problems.append(f"{p}/{k}: outside the day")
            mix = r["mixing"]
            if mix is None:
                if rdv["medPreparedSameDay"]:
                    problems.append(f"{p}/{k}: same-day drug with no mixing")
            else:
                prep = rdv["medPrepDuration"]
                md, ms = mix["day"], mix["slot"]
                same_day = md == d
                if rdv["medPreparedSameDay"] and not same_day:
                    problems.append(f"{p}/{k}: a same-day drug mixed on day {md}")
                if md not in (d, d - 1):
                    problems.append(f"{p}/{k}: mixed on day {md}")
                if (
                    ms < 0
                    or ms + prep > slots
                    or not all(param["pharmacy"][md][h] for h in range(ms, ms + prep))
                ):
                    problems.append(f"{p}/{k}: mixing while the pharmacy is closed")
                if same_day and (ms < ready or ms + prep > o):
                    problems.append(f"{p}/{k}: mixing not between consultation and monitoring")
            for h in range(b, b + b_len):
                installing[(d, h)] = installing.get((d, h), 0) + 1
            for h in range(o, o + treat):
                monitoring[(d, h)] = monitoring.get((d, h), 0) + 1
            seat = r["seat"]
            if not 0 <= seat < seats:
                problems.append(f"{p}/{k}: seat {seat} does not exist")
            for h in range(b, o + treat):
                if (seat, d, h) in seat_use:
                    problems.append(f"{p}/{k}: seat {seat} taken at day {d} slot {h}")
                seat_use[(seat, d, h)] = (p, k)
            total += d * slots + o + treat
    for d, h in set(installing) | set(monitoring):
        load = y * installing.get((d, h), 0) + monitoring.get((d, h), 0)
        if load > y * param["nurses"][d][h]:
            problems.append(f"nurses overloaded at day {d} slot {h}")
    for (sector, d, h), count in consulting.items():
        if count > param["doctors"][str(sector)][d][h]:
            problems.append(f"sector {sector} has too few doctors at day {d} slot {h}")
    if solution["objective"] != total:
        problems.append(f"objective {solution['objective']} is not the schedule's {total}")
    if solution["bound"] > total:
        problems.append("the bound exceeds the objective")
    return problems


def run(tmp_path, name: str, seconds: float) -> tuple[dict, dict]:
    out = tmp_path / f"{name}.solution.json"
    call_command(
        "optimise_cht", str(FIXTURES / f"{name}.json"), "--time-limit", str(seconds), "--out", str(out)
    )
    return json.loads((FIXTURES / f"{name}.json").read_text()), json.loads(out.read_text())


@pytest.mark.parametrize("name", ["u15", "w15"])
def test_the_fifteen_appointment_instances_are_solved_to_optimality(tmp_path, name):
    instance, solution = run(tmp_path, name, 10)
    assert check_cht_solution(instance, solution) == []
    assert solution["objective"] == solution["bound"]


def test_a_thirty_appointment_instance_gets_a_feasible_schedule_within_its_limit(tmp_path):
    instance, solution = run(tmp_path, "w30", 5)
    assert check_cht_solution(instance, solution) == []
    assert solution["bound"] <= solution["objective"]


def test_the_checker_catches_a_broken_schedule(tmp_path):
    instance, solution = run(tmp_path, "u15", 10)
    # Two appointments in one seat at once, and a moved day that breaks the rest days.
    first, second = solution["appointments"][0], solution["appointments"][1]
    second.update(day=first["day"], installation=first["installation"], seat=first["seat"])
    problems = check_cht_solution(instance, solution)
    assert any("seat" in p for p in problems)
    assert any("days after the previous" in p or "objective" in p for p in problems)


def test_a_file_that_is_not_an_instance_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    with pytest.raises(CommandError, match="not a CHT-I instance"):
        call_command("optimise_cht", str(bad), "--out", str(tmp_path / "out.json"))
