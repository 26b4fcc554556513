"""Issue 9 item 4 (folders): one walker for every workflow — never our own results, lock or
temp files; every file it does not handle listed with the reason; results that cannot
collide."""
from __future__ import annotations

from pathlib import Path

from workbooks.build import build_register
from workbooks.folders import plan_outputs, walk
from workbooks.spec import CLAIMS


def _tree(root: Path) -> None:
    for rel in ("福州/理赔登记表.xlsx", "厦门/理赔登记表.xlsx", "厦门/理赔登记表.xlsm"):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        build_register(CLAIMS, p)
    for rel, data in (("福州/理赔登记表_结果.xlsx", b"PK"), ("福州/理赔登记表_结果(2).xlsx", b"PK"),
                      ("福州/~$理赔登记表.xlsx", b"x"), ("福州/.~lock.理赔登记表.xlsx#", b"x"),
                      ("厦门/.tmp-abc123.xlsx", b"PK"), ("厦门/旧表.xls", b"\xd0\xcf"), ("厦门/台账.ods", b"PK"),
                      ("厦门/说明.txt", b"hi"), ("厦门/加密.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)):
        (root / rel).write_bytes(data)


def test_walk_folder(tmp_path):
    _tree(tmp_path)
    w = walk([tmp_path])
    rel = lambda ps: [str(p.relative_to(tmp_path)) for p in ps]  # noqa: E731
    assert rel(w.files) == ["厦门/加密.xlsx", "厦门/理赔登记表.xlsm", "厦门/理赔登记表.xlsx", "福州/理赔登记表.xlsx"]
    assert [(str(s.path.relative_to(tmp_path)), s.key) for s in w.skipped] == [("厦门/台账.ods", "ods"), ("厦门/旧表.xls", "xls")]
    assert w.skipped[1].reason == "旧版 Excel 97-2003 文件（.xls），请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后再处理"
    assert sorted(s.key for s in w.ignored) == ["lock", "lock", "other", "result", "result", "temp"]


def test_walk_checks_packages(tmp_path):
    _tree(tmp_path)
    w = walk([tmp_path / "厦门"], check=True)
    assert [p.name for p in w.files] == ["理赔登记表.xlsm", "理赔登记表.xlsx"]
    bad = [s for s in w.skipped if s.path.name == "加密.xlsx"][0]
    assert bad.key in ("damaged", "encrypted", "xls") and bad.reason


def test_named_files_are_all_answered(tmp_path):
    _tree(tmp_path)
    w = walk([tmp_path / "福州/理赔登记表_结果.xlsx", tmp_path / "无此文件.xlsx", tmp_path / "厦门/说明.txt",
              tmp_path / "福州/理赔登记表.xlsx", tmp_path / "福州"])
    assert [p.name for p in w.files] == ["理赔登记表.xlsx"]         # named once and found again: read once
    assert [(s.path.name, s.key, s.reason) for s in w.skipped] == [
        ("理赔登记表_结果.xlsx", "result", "logidesk 生成的结果文件，不再重复读取"),
        ("无此文件.xlsx", "missing", "文件或文件夹不存在"),
        ("说明.txt", "other", "不是 Excel 工作簿（.xlsx/.xlsm），已跳过")]


def test_results_with_inputs_count_once(tmp_path):
    _tree(tmp_path)
    w = walk([tmp_path / "福州"], results=True)
    assert [p.name for p in w.files] == ["理赔登记表.xlsx"]
    only = tmp_path / "只有结果"
    only.mkdir()
    (only / "b_结果.xlsx").write_bytes(b"PK")
    assert [p.name for p in walk([only], results=True).files] == ["b_结果.xlsx"]


def test_outputs_never_collide(tmp_path):
    _tree(tmp_path)
    out = tmp_path / "out"
    w = walk([tmp_path])
    plan = plan_outputs(w.files, [tmp_path], out)
    rel = {str(k.relative_to(tmp_path)): str(v.relative_to(out)) for k, v in plan.items()}
    assert rel == {"厦门/加密.xlsx": "厦门/加密_结果.xlsx", "厦门/理赔登记表.xlsm": "厦门/理赔登记表_结果.xlsm",
                   "厦门/理赔登记表.xlsx": "厦门/理赔登记表_结果.xlsx", "福州/理赔登记表.xlsx": "福州/理赔登记表_结果.xlsx"}
    named = [tmp_path / "福州/理赔登记表.xlsx", tmp_path / "厦门/理赔登记表.xlsx"]
    plan = plan_outputs(named, named, out)
    assert [str(v.relative_to(out)) for v in plan.values()] == ["理赔登记表_结果.xlsx", "厦门/理赔登记表_结果.xlsx"]
    # an output never lands on an input
    plan = plan_outputs([tmp_path / "福州/理赔登记表.xlsx"], [], tmp_path / "福州")
    assert list(plan.values()) == [tmp_path / "福州/理赔登记表_结果.xlsx"]
