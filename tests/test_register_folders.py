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


def _unreadable(folder: Path) -> None:
    """An encrypted workbook, an .xls saved under an .xlsx name, a zip with a broken part."""
    import zipfile

    import msoffcrypto  # noqa: F401 (test tool)
    from msoffcrypto.format.ooxml import OOXMLFile

    from addin.xlam.cfb import write_cfb
    plain = build_register(CLAIMS, folder / "明文.xlsx")
    with open(plain, "rb") as f, open(folder / "加密.xlsx", "wb") as out:
        OOXMLFile(f).encrypt("1234", out)
    plain.unlink()
    (folder / "改了扩展名.xlsx").write_bytes(write_cfb({"Workbook": b"\x09\x08" + b"\x00" * 600}))
    good = build_register(CLAIMS, folder / "好.xlsx")
    with zipfile.ZipFile(good) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(folder / "坏.xlsx", "w") as z:
        for i, data in items:
            z.writestr(i, data[: len(data) // 3] if i.filename == "xl/workbook.xml" else data)
    good.unlink()


def test_walk_checks_packages(tmp_path):
    _tree(tmp_path)
    (tmp_path / "厦门/加密.xlsx").unlink()
    _unreadable(tmp_path / "厦门")
    w = walk([tmp_path / "厦门"], check=True)
    assert [p.name for p in w.files] == ["理赔登记表.xlsm", "理赔登记表.xlsx"]
    got = {s.path.name: (s.key, s.reason) for s in w.skipped}
    assert got["加密.xlsx"] == ("encrypted", "工作簿设有打开密码（已加密），无法读取；请去掉密码后再处理"
                                             "（Excel：文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码后保存）")
    assert got["改了扩展名.xlsx"][0] == "xls" and "另存为 Excel 工作簿（.xlsx）" in got["改了扩展名.xlsx"][1]
    assert got["坏.xlsx"][0] == "damaged" and "xl/workbook.xml" in got["坏.xlsx"][1]
    assert got["旧表.xls"][0] == "xls" and got["台账.ods"][0] == "ods"


def test_open_register_passes_package_reasons_through(tmp_path):
    import pytest

    from workbooks.register import RegisterError, open_register
    _unreadable(tmp_path)
    for name, reason in (("加密.xlsx", "encrypted"), ("改了扩展名.xlsx", "xls"), ("坏.xlsx", "damaged")):
        with pytest.raises(RegisterError) as e:
            open_register(tmp_path / name)
        assert (e.value.reason, e.value.path) == (reason, tmp_path / name)


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
