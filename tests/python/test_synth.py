"""The model-free input synthesizer: ranges from the statement, shapes from the public inputs,
and whole jobs as sstar sends them."""

import json


def run(synth, capsys, **job):
    job = {"statement": "", "starter": None, "entry_point": None, "seed": 1, "count": 30, **job}
    synth.generate(job)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_ranges_come_from_the_statements_bounds(synth):
    found = synth.constraints("The first line holds n (1 ≤ n ≤ 10^5).\n-1000 <= a_i <= 1000")
    assert found["n"] == (1, 100000)
    assert any(low == -1000 and high == 1000 for low, high in found.values())


def test_a_stdio_job_gives_new_inputs_of_the_public_inputs_shape(synth, capsys):
    public = ["3\n1 2 3\n", "2\n5 4\n"]
    rows = run(synth, capsys, kind="stdio", public=public, statement="1 ≤ n ≤ 10")
    assert rows, "some inputs"
    assert len(rows) <= 30
    for row in rows:
        assert row["input"] not in public
        lines = row["input"].split("\n")
        count = int(lines[0])
        assert len(lines[1].split()) == count, row


def test_the_same_seed_gives_the_same_inputs(synth, capsys):
    job = {"kind": "stdio", "public": ["3\n1 2 3\n"], "statement": "1 ≤ n ≤ 50"}
    assert run(synth, capsys, **job) == run(synth, capsys, **job)


def test_a_function_job_gives_json_arguments_per_line(synth, capsys):
    starter = "class Solution:\n    def total(self, nums: list[int], k: int) -> int:\n        pass\n"
    rows = run(synth, capsys, kind="function", public=["[1, 2, 3]\n2\n"], starter=starter, entry_point="total")
    assert rows
    for row in rows:
        args = [json.loads(line) for line in row["input"].splitlines()]
        assert len(args) == 2, row
        assert isinstance(args[0], list) and isinstance(args[1], int), row
