"""Issue 9's list of what went wrong, each case end to end through ``logidesk process``
(``workbooks.process.main``) with its exact message and exit code."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from register_columns import cell, index
from register_files import make_register

from workbooks import process as P
from workbooks.samples import claim_rows
from workbooks.spec import CLAIMS
from workbooks.xlsx import open_package
from workbooks.xlsx.cells import col_letter

TODAY = "2026-11-23"
H = CLAIMS.headers
# a second 物品价值 in column F: the template's own is one column right of its place
DUPLICATED = H[:5] + ["物品价值"] + H[5:]


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("LOGIDESK_TODAY", TODAY)


def run(capsys, *args) -> tuple[int, str]:
    code = P.main([*map(str, args), "--quiet"])
    return code, capsys.readouterr().out


def two_rows() -> list[dict]:
    return [dict(r) for r in claim_rows()[:2]]     # 3,000.00 + 45.00 and 135.00 + 45.00 (CMP-1)


def test_title_row_above_the_header(tmp_path, capsys):
    src = make_register(tmp_path / "title.xlsx", CLAIMS, two_rows(), titles=["2026 年 11 月理赔登记（福州仓山）"])
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 0
    assert out.splitlines()[1:5] == ["  理赔登记表：2 行，错误行 0 行，错误 0 处", "  赔偿金额合计：3,135.00 元",
                                     "  免收运费合计：90.00 元", "  网点赔付合计：0.00 元"]
    sheet = open_package(tmp_path / "o" / "title_结果.xlsx").read_small_sheet(CLAIMS.sheet)
    assert sheet[0] == ["2026 年 11 月理赔登记（福州仓山）"]                 # title row kept
    at = {h: i for i, h in enumerate(sheet[1])}
    assert [sheet[2][at["赔偿金额"]], sheet[3][at["赔偿金额"]]] == [3000.0, 135.0]
    assert [sheet[2][at["免收运费"]], sheet[3][at["免收运费"]]] == [45.0, 45.0]
    assert "汇总" not in {s.name for s in open_package(tmp_path / "o" / "title_结果.xlsx").sheets}  # none added


@pytest.mark.parametrize("name, order, headers, message", [
    ("dup", DUPLICATED, None,
     f"dup.xlsx「理赔登记表」第 1 行的表头「物品价值」重复出现在 F 列和 {col_letter(index('物品价值') + 1)} 列，"
     "请删除或改名其中一列"),
    ("blank", H[:5] + [""] + H[5:], None, "blank.xlsx「理赔登记表」第 1 行 F 列的表头为空，请填写列名或删除该列"),
    ("renamed", None, {"物品价值": "货值"}, "renamed.xlsx「理赔登记表」第 1 行的表头中找不到必填列「物品价值」"),
])
def test_bad_headers_are_one_clear_message(tmp_path, capsys, name, order, headers, message):
    src = make_register(tmp_path / f"{name}.xlsx", CLAIMS, two_rows(), order=order, headers=headers)
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 1                    # a file to fix (the contract: 1)
    assert out.splitlines() == [f"✗ {src}：{message}", "合计：处理 0 个文件，0 行，错误行 0 行，1 个文件未处理"]
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_values_typed_into_computed_columns_are_listed(tmp_path, capsys):
    rows = two_rows()
    rows[1]["赔偿金额"], rows[1]["免收运费"] = 9999, "经理特批 2000"
    src = make_register(tmp_path / "typed.xlsx", CLAIMS, rows)
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 1 and "  理赔登记表：2 行，错误行 1 行，错误 2 处" in out
    res = open_package(tmp_path / "o" / "typed_结果.xlsx")
    assert res.read_small_sheet("错误清单")[1:] == [
        [3.0, "赔偿金额", cell("赔偿金额", 3), "9999", "「赔偿金额」是公式计算列，手工填写的「9999」已替换为模板公式（按规则计算为 135.00）；"
         "如需另行处理请写在备注列，本行改正前不计入合计"],
        [3.0, "免收运费", cell("免收运费", 3), "经理特批 2000", "「免收运费」是公式计算列，手工填写的「经理特批 2000」已替换为模板公式"
         "（按规则计算为 45.00）；如需另行处理请写在备注列，本行改正前不计入合计"]]
    amount, waiver = index("赔偿金额"), index("免收运费")
    [chunk] = res.iter_chunks(CLAIMS.sheet, 2, formulas_of=[amount, waiver])
    assert chunk.formulas[amount][1] == CLAIMS.formula(CLAIMS.column("赔偿金额"), 3)[1:]    # our formula again
    typed = open_package(src).read_small_sheet(CLAIMS.sheet)[2]
    assert [typed[amount], typed[waiver]] == [9999.0, "经理特批 2000"]  # input kept


def test_excel_error_in_an_input_is_an_error_not_a_blank(tmp_path, capsys):
    rows = two_rows()
    rows[0]["保价金额"] = "#N/A"                    # openpyxl stores it as an error cell
    src = make_register(tmp_path / "na.xlsx", CLAIMS, rows)
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 1 and "  有错误的行：2（详见「错误清单」）" in out
    res = open_package(tmp_path / "o" / "na_结果.xlsx")
    assert res.read_small_sheet("错误清单")[1] == [
        2.0, "保价金额", cell("保价金额", 2), "#N/A", "保价金额是 Excel 错误值 #N/A（不能当作空白），请更正该单元格或其引用的单元格（INS-1）",
        "INS-1"]
    row = res.read_small_sheet(CLAIMS.sheet)[1]
    # the message once, in the wide 赔偿说明 cell; the others point at it
    assert row[index("赔偿说明")].startswith("错误：保价金额是 Excel 错误值 #N/A")
    assert row[index("受理判定")] == row[index("赔偿金额")] == "错误：见「赔偿说明」"
    assert 135.0 not in row and 22.5 not in row


def test_blank_template_is_zero_rows(tmp_path, capsys):
    from workbooks.build import build_register
    src = build_register(CLAIMS, tmp_path / "理赔登记表.xlsx")
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 0
    assert out.splitlines()[:2] == [f"✓ {src} → {tmp_path / 'o' / '理赔登记表_结果.xlsx'}",
                                    "  理赔登记表：0 行，错误行 0 行，错误 0 处"]
    assert open_package(tmp_path / "o" / "理赔登记表_结果.xlsx").read_small_sheet("错误清单")[1] == ["没有错误。"]


def test_same_names_never_collide(tmp_path, capsys):
    for branch in ("福州", "厦门"):
        (tmp_path / "in" / branch).mkdir(parents=True)
        make_register(tmp_path / "in" / branch / "理赔登记表.xlsx", CLAIMS, two_rows())
    make_register(tmp_path / "in" / "a.xlsx", CLAIMS, two_rows()[:1])
    shutil.copy(tmp_path / "in" / "a.xlsx", tmp_path / "in" / "a.xlsm")   # same content, other suffix
    code, out = run(capsys, tmp_path / "in", "--out", tmp_path / "o")
    assert code == 0
    o = tmp_path / "o"
    assert sorted(str(p.relative_to(o)) for p in o.rglob("*.xls*")) == [
        "a_结果.xlsm", "a_结果.xlsx", "厦门/理赔登记表_结果.xlsx", "福州/理赔登记表_结果.xlsx"]
    for line in (f"✓ {tmp_path / 'in' / '福州' / '理赔登记表.xlsx'} → {o / '福州' / '理赔登记表_结果.xlsx'}",
                 f"✓ {tmp_path / 'in' / 'a.xlsm'} → {o / 'a_结果.xlsm'}"):
        assert line in out


def _files_we_cannot_read(folder: Path) -> dict[str, str]:
    from msoffcrypto.format.ooxml import OOXMLFile

    from addin.xlam.cfb import write_cfb
    good = make_register(folder / "好.xlsx", CLAIMS, two_rows())
    (folder / "旧版.xls").write_bytes(write_cfb({"Workbook": b"\x09\x08" + b"\x00" * 600}))
    with open(good, "rb") as f, open(folder / "加密.xlsx", "wb") as out:
        OOXMLFile(f).encrypt("1234", out)
    with zipfile.ZipFile(folder / "表格.ods", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    (folder / "损坏.xlsx").write_bytes(good.read_bytes()[:4000])
    return {"旧版.xls": "旧版 Excel 97-2003 文件（.xls），请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后再处理",
            "表格.ods": "OpenDocument 表格（.ods），请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后再处理",
            "加密.xlsx": "工作簿设有打开密码（已加密），无法读取；请去掉密码后再处理（Excel：文件 → 信息 → 保护工作簿 → "
                       "用密码进行加密，清空密码后保存）",
            "损坏.xlsx": "文件已损坏，无法读取部件 zip：压缩包目录损坏（不是 zip 压缩包）；请在 Excel 中打开并修复后另存为 "
                       ".xlsx 再处理"}


def test_unreadable_files_are_listed_and_the_folder_goes_on(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    expect = _files_we_cannot_read(tmp_path / "in")
    code, out = run(capsys, tmp_path / "in", "--out", tmp_path / "o")
    assert code == 1
    lines = out.splitlines()
    for name, message in expect.items():
        assert f"✗ {tmp_path / 'in' / name}：{message}" in lines
    assert f"✓ {tmp_path / 'in' / '好.xlsx'} → {tmp_path / 'o' / '好_结果.xlsx'}" in lines
    assert lines[-1] == "合计：处理 1 个文件，2 行，错误行 0 行，4 个文件未处理"


def test_a_renamed_xls_is_still_called_an_xls(tmp_path, capsys):
    from addin.xlam.cfb import write_cfb
    src = tmp_path / "登记.xlsx"
    src.write_bytes(write_cfb({"Workbook": b"\x09\x08" + b"\x00" * 600}))
    code, out = run(capsys, src, "--out", tmp_path / "o")
    assert code == 1 and out.splitlines()[0] == (
        f"✗ {src}：这是旧版 Excel 97-2003 工作簿（.xls），本程序只处理 .xlsx/.xlsm；请另存为 .xlsx"
        "（请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后再处理）")


@pytest.mark.parametrize("which", ["input", "output"])
def test_a_workbook_open_in_excel_is_left_alone(tmp_path, capsys, which):
    src = make_register(tmp_path / "a.xlsx", CLAIMS, two_rows())
    out_dir = tmp_path / "o"
    out_dir.mkdir()
    target = out_dir / "a_结果.xlsx"
    target.write_bytes(b"old result")
    lock = (tmp_path / "~$a.xlsx") if which == "input" else (out_dir / ".~lock.a_结果.xlsx#")
    lock.write_text("林晓")
    code, out = run(capsys, src, "--out", out_dir)
    assert code == 3
    if which == "input":
        assert out.splitlines()[0] == f"✗ {src}：文件正在被 Excel/WPS 打开（发现锁定文件 ~$a.xlsx），请先保存并关闭后再处理"
    else:
        assert out.splitlines()[0] == (f"✗ {src}：结果文件「{target}」正在被打开（发现锁定文件 .~lock.a_结果.xlsx#），"
                                       "请先在 Excel/WPS 中关闭它再重新处理；未覆盖该文件。")
    assert target.read_bytes() == b"old result"
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(["a_结果.xlsx"] + ([lock.name] if which == "output" else []))


def _big(tmp_path: Path) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from registers import excel_shaped
    return excel_shaped(30000, tmp_path / "big.xlsx")


def _child(src: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "LOGIDESK_TODAY": TODAY}
    return subprocess.Popen([sys.executable, "-m", "workbooks.process", str(src), "--out", str(out), "--quiet"],
                            cwd=Path(__file__).resolve().parents[1], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def _wait_for_temp(out: Path, proc: subprocess.Popen) -> None:
    for _ in range(600):
        if out.exists() and any(p.name.startswith(".tmp-") for p in out.iterdir()):
            time.sleep(0.3)
            return
        if proc.poll() is not None:
            pytest.fail("the run ended before writing")
        time.sleep(0.05)
    pytest.fail("no temp file seen")


def test_a_stopped_run_leaves_no_temp_file(tmp_path):
    src, out = _big(tmp_path), tmp_path / "o"
    proc = _child(src, out)
    _wait_for_temp(out, proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 128 + signal.SIGTERM
    assert list(out.iterdir()) == []


def test_a_killed_run_is_cleaned_up_by_the_next(tmp_path, capsys):
    src, out = _big(tmp_path), tmp_path / "o"
    proc = _child(src, out)
    _wait_for_temp(out, proc)
    proc.kill()
    proc.wait(60)
    left = [p.name for p in out.iterdir()]
    assert len(left) == 1 and left[0].startswith(".tmp-logidesk-")     # SIGKILL cannot be caught
    code, _ = run(capsys, src, "--out", out)
    assert code == 1                    # done, with the big file's error rows to fix
    assert [p.name for p in out.iterdir()] == ["big_结果.xlsx"]
