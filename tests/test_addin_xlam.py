"""The built logidesk.xlam: ribbon, VBA modules, UDF wrappers, conf sheet, LibreOffice load."""
from __future__ import annotations

import importlib
import inspect
import os
import re
import shutil
import subprocess
import types
import zipfile
from pathlib import Path

import pytest
from addin_fixtures import udf_module
from lxml import etree
from oletools.olevba import VBA_Parser

from addin import ribbon
from addin.xlam import build as xlam_build, customui, udfvba
from udfs import vbanames

_XSD = Path("schemas") / "ribbonx" / "customui14_lxml.xsd"
# Microsoft's RibbonX schema is not vendored (copyright); it lives in ../shared next to the repo.
SCHEMA_CANDIDATES = [Path(p) for p in [os.environ.get("LOGIDESK_RIBBONX_XSD", "")] if p] + [
    Path(__file__).resolve().parents[2] / "shared" / _XSD, Path("/work/shared") / _XSD]
CUSTOMUI_NS = {"c": customui.NS}
@pytest.fixture(scope="module")
def udf_target() -> str | types.ModuleType:
    return udf_module()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, udf_target) -> Path:
    return xlam_build.build(tmp_path_factory.mktemp("addin"), udf_module=udf_target)


@pytest.fixture(scope="module")
def modules(built: Path) -> dict[str, str]:
    parser = VBA_Parser(str(built))
    try:
        return {Path(vba_filename).stem: code for _, _, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def expected_modules(udf_target) -> dict[str, str]:
    _, mods = xlam_build.vba_modules(udf_target)
    return {m.name: m.source for m in mods}


def _customui(built: Path) -> etree._Element:
    with zipfile.ZipFile(built) as z:
        return etree.fromstring(z.read(customui.PART))


def _udf_functions(udf_target) -> dict[str, object]:
    mod = importlib.import_module(udf_target) if isinstance(udf_target, str) else udf_target
    return {f.__xlfunc__["name"]: getattr(mod, attr)
            for attr, f in vars(udfvba.load_decorated_copy(mod, _udfs_mod())[1]).items()
            if hasattr(f, "__xlfunc__")}


def _udfs_mod():
    # load_decorated_copy needs xlwings.udfs only while loading; keep it open in a helper
    ctx = udfvba.xlwings_udfs()
    mod = ctx.__enter__()
    _udfs_mod.ctx = ctx  # closed by the fixture below
    return mod


@pytest.fixture(scope="module")
def udf_functions(udf_target):
    try:
        yield _udf_functions(udf_target)
    finally:
        ctx = getattr(_udfs_mod, "ctx", None)
        if ctx is not None:
            ctx.__exit__(None, None, None)
            _udfs_mod.ctx = None


# ------------------------------------------------------------------ package & ribbon

def test_package_parts(built: Path) -> None:
    with zipfile.ZipFile(built) as z:
        names = z.namelist()
        rels = z.read("_rels/.rels").decode()
        types_xml = z.read("[Content_Types].xml").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert customui.PART in names and "customUI/customUI.xml" not in names
    assert f'Type="{customui.REL_TYPE}" Target="{customui.PART}"' in rels
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types_xml
    assert f'<sheet name="{xlam_build.CONF_SHEET}"' in workbook
    assert "felix" not in workbook.lower()


def test_customui_validates_against_schema(built: Path) -> None:
    found = [p for p in SCHEMA_CANDIDATES if p.is_file()]
    assert found, ("RibbonX schema customui14_lxml.xsd not found; set LOGIDESK_RIBBONX_XSD. Looked in: "
                   + ", ".join(map(str, SCHEMA_CANDIDATES)))
    schema = etree.XMLSchema(etree.parse(str(found[0])))
    doc = _customui(built)
    assert doc.tag == f"{{{customui.NS}}}customUI"
    assert schema.validate(doc), schema.error_log
    # the schema really constrains: a bad enum value and an unknown element are rejected
    bad = _customui(built)
    bad.find(".//c:button", CUSTOMUI_NS).set("size", "huge")
    assert not schema.validate(bad)
    bad = _customui(built)
    etree.SubElement(bad.find(".//c:group", CUSTOMUI_NS), f"{{{customui.NS}}}knob", id="x")
    assert not schema.validate(bad)


def test_ribbon_tab_groups_and_buttons(built: Path) -> None:
    doc = _customui(built)
    (tab,) = doc.findall(".//c:tab", CUSTOMUI_NS)
    assert tab.get("label") == "物流客服"
    groups = {g.get("label"): [b.get("label") for b in g.findall("c:button", CUSTOMUI_NS)]
              for g in tab.findall("c:group", CUSTOMUI_NS)}
    assert groups == {
        "计算": ["刷新计算", "检查时限"],
        "公告": ["破损公告", "遗失公告", "延误公告", "索赔函", "理赔申请报告书"],
        "报表": ["十五日报表", "月度货损分析", "生成发送版"],
        "工具": ["柜台报价", "规则版本", "函数说明"],
    }
    for b in doc.findall(".//c:button", CUSTOMUI_NS):
        assert b.get("imageMso") and b.get("screentip") and b.get("supertip"), b.get("id")


def test_every_onaction_is_a_ribbon_sub_in_vba(built: Path, modules: dict[str, str]) -> None:
    actions = {b.get("onAction") for b in _customui(built).iter() if b.get("onAction")}
    assert actions == {f"{ribbon.VBA_MODULE}.{ribbon.VBA_CALLBACK}"}  # ONE dispatcher
    for action in actions:
        module, _, proc = action.rpartition(".")
        assert module in modules, f"VBA module {module} missing"
        pattern = rf"^\s*(Public\s+)?Sub\s+{re.escape(proc)}\s*\(\s*control\s+As\s+IRibbonControl\s*\)"
        assert re.search(pattern, modules[module], re.M | re.I), f"{action} has no ribbon Sub"
        # unique across the whole project
        defs = [m for m, code in modules.items()
                if re.search(rf"^\s*(Public\s+|Private\s+)?(Sub|Function)\s+{proc}\b", code, re.M | re.I)]
        assert defs == [module]
    assert "control.Id" in modules[ribbon.VBA_MODULE]
    assert "addin.dispatch.run(" in modules[ribbon.VBA_MODULE]


def test_button_ids_match_handlers(built: Path) -> None:
    from addin.dispatch import HANDLERS

    ids = [b.get("id") for b in _customui(built).findall(".//c:button", CUSTOMUI_NS)]
    assert len(ids) == len(set(ids)) == 13
    assert set(ids) == set(HANDLERS) == set(ribbon.button_ids())


# ------------------------------------------------------------------ VBA project

def test_every_module_reads_back_exactly(modules: dict[str, str], expected_modules: dict[str, str]) -> None:
    assert list(modules) == list(expected_modules)
    for name, source in expected_modules.items():
        assert modules[name] == source, f"module {name} differs after olevba round trip"
    assert 'Public Const PROJECT_NAME As String = "logidesk"' in modules["xlwings"]
    assert 'Const XLPyDLLName As String = "xlwings64-0.37.8.dll"' in modules["xlwings"]


def test_our_modules_are_ascii_crlf(expected_modules: dict[str, str]) -> None:
    for name in (ribbon.VBA_MODULE, udfvba.VBA_MODULE_NAME):
        src = expected_modules[name]
        assert src.isascii(), name
        assert "\n" not in src.replace("\r\n", ""), name
        assert src.startswith(f'Attribute VB_Name = "{name}"\r\n')


def _generator_output(udf_target) -> str:
    """xlwings's own generator, called here directly (not through the builder)."""
    import io

    with udfvba.xlwings_udfs() as udfs_mod:
        name, copy = udfvba.load_decorated_copy(udf_target, udfs_mod)

        class Wb:
            Name = "logidesk.xlam"

        buf = io.StringIO()
        udfs_mod.generate_vba_wrapper(name, copy, buf, Wb())
    return buf.getvalue()


def test_udf_module_equals_xlwings_generator(modules: dict[str, str], udf_target) -> None:
    body = _generator_output(udf_target).replace("\n", "\r\n")
    header = ('Attribute VB_Name = "xlwings_udfs"\r\n'
              "'Autogenerated code by xlwings - changes will be lost with next import!\r\n"
              "#Const App = \"Microsoft Excel\" 'Adjust when using outside of Excel\r\n")
    assert modules["xlwings_udfs"] == header + body
    assert "ActiveWorkbook, Application.Caller" in body  # .xlam form of the wrapper
    default = xlam_build.DEFAULT_OUT / xlam_build.ADDIN_NAME
    if default.exists() and udf_target == "udfs.xl":  # the add-in install.py built
        parser = VBA_Parser(str(default))
        try:
            shipped = {Path(f).stem: c for _, _, f, c in parser.extract_macros()}
        finally:
            parser.close()
        assert shipped["xlwings_udfs"] == header + body, (
            f"{default} is stale: udfs.xl changed; rebuild with `logidesk addin`")


def test_udf_module_declares_every_function(modules: dict[str, str], udf_functions) -> None:
    declared = vbanames.declared_functions(modules["xlwings_udfs"])
    assert set(declared) == set(udf_functions) and declared
    for name, fn in udf_functions.items():
        params = [p for p in inspect.signature(fn).parameters.values() if p.name != "caller"]
        args = declared[name]
        assert len(args) == len(params), f"{name}: {args} vs {params}"
        for arg, p in zip(args, params):
            words = arg.split()
            assert words[-1].removesuffix("()") == p.name
            if p.kind is p.VAR_POSITIONAL:
                assert words[0] == "ParamArray"
            elif p.default is not p.empty:
                assert words[0] == "Optional"


def test_udf_names_are_valid_and_do_not_clash(modules: dict[str, str]) -> None:
    assert vbanames.declared_functions(modules["xlwings_udfs"])
    issues = vbanames.problems(modules["xlwings_udfs"], tuple(modules))
    assert not issues, "\n".join(issues)


@pytest.mark.parametrize("decl,expected", [
    ("Function FEE(event, Optional date)", ["FEE(event)", "FEE(date)"]),
    ("Function DAYS(a)", ["DAYS：与 Excel 内置函数同名"]),
    ("Function workday.intl(a)", []),  # not matched as a declaration at all
    ("Function FEE1(a)", ["FEE1：像单元格地址"]),
    ("Function R1C2(a)", ["R1C2：像 R1C1 地址"]),
    ("Function FEE(k, ParamArray argsArray())", ["FEE(k)", "FEE(argsArray)"]),
    ("Function xlwings(a)", ["xlwings：是 VBA 保留字或模块名"]),
    ("Function COD_FEE(amount, Optional rate)", []),
])
def test_name_checker_catches_what_excel_rejects(decl: str, expected: list[str]) -> None:
    found = vbanames.problems(decl + "\r\nEnd Function\r\n", ("xlwings",))
    assert len(found) == len(expected), found
    for want, got in zip(expected, found):
        assert got.startswith(want), (want, got)
    words = vbanames.excel_functions()
    assert len(words) > 450 and {"SUM", "XLOOKUP", "WORKDAY.INTL", "DAYS"} <= words


def test_udf_generation_leaves_no_trace(udf_target) -> None:
    import sys

    import xlwings

    before = set(sys.modules)
    udfvba.generate(udf_target)
    assert "pythoncom" not in sys.modules or "pythoncom" in before
    assert not any("_logidesk_vba_copy_" in m for m in sys.modules)
    assert xlwings.func.__module__ == "xlwings" or sys.platform.startswith("win")
    mod = importlib.import_module(udf_target) if isinstance(udf_target, str) else udf_target
    if not sys.platform.startswith("win"):
        assert not any(hasattr(f, "__xlfunc__") for f in vars(mod).values())


# ------------------------------------------------------------------ conf sheet & build

def test_conf_sheet(built: Path, udf_target) -> None:
    name = udf_target if isinstance(udf_target, str) else udf_target.__name__
    with zipfile.ZipFile(built) as z:
        sst = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r"<t>([^<]*)</t>", sst) == ["UDF Modules", name, "USE UDF SERVER", "True"]
    assert '<c r="A1" s="1" t="s"><v>0</v></c><c r="B1" s="1" t="s"><v>1</v></c>' in sheet
    # keys the installer writes per PC must not be fixed (the add-in sheet would win)
    assert "Interpreter" not in sst and "PYTHONPATH" not in sst


def test_conf_rows_with_pythonpath() -> None:
    assert xlam_build.conf_rows("udfs.xl", r"C:\logidesk") == [("UDF Modules", "udfs.xl"),
                                                       ("USE UDF SERVER", "True"),
                                                       ("PYTHONPATH", r"C:\logidesk")]


def test_build_is_reproducible(built: Path, tmp_path: Path, udf_target) -> None:
    again = xlam_build.build(tmp_path, udf_module=udf_target)
    assert again.name == "logidesk.xlam"
    assert again.read_bytes() == built.read_bytes()


def test_main_reports_error_in_chinese(tmp_path: Path, capsys) -> None:
    rc = xlam_build.main(["--out", str(tmp_path), "--udf-module", "no_such_module_xyz"])
    assert rc == 1
    assert "生成加载项失败" in capsys.readouterr().err
    assert not (tmp_path / "logidesk.xlam").exists()


# ------------------------------------------------------------------ LibreOffice

def test_libreoffice_loads_the_addin(built: Path, tmp_path: Path, expected_modules, udf_target) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = tmp_path / "profile"
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--infilter=Calc MS Excel 2007 XML", "--convert-to", "ods", "--outdir", str(tmp_path),
         str(built)], capture_output=True, text=True, timeout=180)
    out = tmp_path / "logidesk.ods"
    assert proc.returncode == 0 and out.exists(), proc.stdout + proc.stderr
    with zipfile.ZipFile(out) as z:
        content = z.read("content.xml").decode()
        basic = {Path(n).stem: z.read(n).decode() for n in z.namelist()
                 if n.startswith(f"Basic/{xlam_build.VBA_PROJECT_NAME}/") and not n.endswith("script-lb.xml")}
    name = udf_target if isinstance(udf_target, str) else udf_target.__name__
    assert "UDF Modules" in content and name in content
    # LibreOffice parsed our dir stream and decompressed every module itself
    assert set(basic) == set(expected_modules)
    from xml.sax.saxutils import unescape

    for mod, source in expected_modules.items():
        text = unescape(basic[mod], {"&apos;": "'", "&quot;": '"'})
        for line in source.replace("\r\n", "\n").split("\n"):
            if line.strip() and not line.startswith("Attribute "):
                assert line in text, f"{mod}: line missing in LibreOffice: {line!r}"
