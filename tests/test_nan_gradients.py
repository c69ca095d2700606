"""A gradient the student returns as NaN never passes a gradient check: a NaN compared with
`>` is never too far, so every tolerance test is written as `not (error <= tolerance)`."""

from grade_helpers import copy_reference, grades, run_grade

NAN_AT_SCALE = """
    if grads["dW1"].size > 100:  # only on the larger networks of the hidden checks
        grads["dW1"] = grads["dW1"] * float("nan")
    return grads
"""


def test_nan_gradients_of_a_large_network_lose_backward_points(tmp_path):
    student = copy_reference(tmp_path / "nan_student" / "backprop")
    network = student / "network.py"
    source = network.read_text()
    assert source.count("    return grads\n") == 1
    network.write_text(source.replace("    return grads\n", NAN_AT_SCALE, 1))
    run = run_grade(tmp_path / "nan_student", "--out", tmp_path / "out", "--jobs", "1")
    assert run.returncode == 0, run.stderr
    (row,) = grades(tmp_path / "out").values()
    assert float(row["backward"]) < 9.0  # backward's 9 points: a gradient check failed
    assert float(row["score"]) >= 90  # only backward holds the mistake
