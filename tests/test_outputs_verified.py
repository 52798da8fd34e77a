"""cs231n_lib.outputs: shipped results read back only after their sha256 check, with a message that says
how to restore or rebuild them; what a run records about the machine."""
import hashlib
import json

import pytest

from cs231n_lib import outputs


def pinned(tmp_path, record):
    path = tmp_path / "result.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    (tmp_path / "result.sha256").write_text(hashlib.sha256(path.read_bytes()).hexdigest() + "  result.json\n")
    return path


def test_a_pinned_file_is_read_and_a_changed_one_refused(tmp_path):
    path = pinned(tmp_path, {"error": 1.5})
    assert outputs.load_verified_json(path, "`make it`") == {"error": 1.5}
    path.write_text(json.dumps({"error": 1.6}), encoding="utf-8")
    with pytest.raises(ValueError) as err:
        outputs.load_verified_json(path, "`make it`", restore="data/x/")
    message = str(err.value)
    assert "result.json does not match its checksum" in message
    assert hashlib.sha256(path.read_bytes()).hexdigest() in message
    assert "`git checkout -- data/x/`" in message and "rebuild it with `make it`" in message


def test_a_missing_file_or_pin_says_which(tmp_path):
    path = pinned(tmp_path, {})
    (tmp_path / "result.sha256").unlink()
    with pytest.raises(FileNotFoundError, match="result.sha256 is not there"):
        outputs.verified(path, "`make it`")
    with pytest.raises(FileNotFoundError, match="other.json is not there"):
        outputs.verified(tmp_path / "other.json", "`make it`")


def test_the_machine_record():
    info = outputs.machine_info()
    assert {"machine", "processor", "system", "cpu_count", "python", "numpy"} <= set(info)
    load = outputs.load_average()
    assert load is None or (len(load) == 3 and all(v >= 0 for v in load))
