"""The company rules file (issue 11, item 1) and the validation of every rules file on load
(issue 8: negative rate, cap below its floor, LAW-5's 10 days — refused naming the file,
the key and the rule ID); `logidesk rules check`."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import udfs
from desk.holidays import rules_main
from udfs import company, rulebook as rb
from udfs.errors import RuleError

D = dt.date

COMPANY_2027 = '''
[company]
name = "测试物流"

[version."C2027.1"]
title = "公司 2027 年版"
published = 2026-12-15
effective_from = 2027-01-01
[version."C2027.1".compensation]
rule = "CMP-1"
uninsured_freight_multiple = "5"
[version."C2027.1".storage]
rule = "STO-3"
cities = { C = ["北京", "天津", "唐山", "沈阳", "郑州", "西安", "重庆", "成都", "济南", "青岛", "淄博", "枣庄",
            "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "临沂", "德州", "聊城", "滨州", "菏泽", "昆明"] }
[version."C2027.1".complaints."退货"]
rule = "CPL-3"
script = "您好，我们为您办理退货：请提供运单号，费用与时间以本公司退货规定为准。"
handling = "核实退货原因，按公司退货规定办理并跟踪到签收。"
[version."C2027.1".categories."冷链生鲜"]
rule = "INS-5"
cover = "loss_only"
aliases = ["生鲜", "冷链"]
'''


# ------------------------------------------------------------------------- where it is

def test_the_place_comes_from_configuration_with_per_user_then_per_machine_defaults(tmp_path):
    win = {"APPDATA": r"C:\Users\lin\AppData\Roaming", "PROGRAMDATA": r"C:\ProgramData"}
    assert [str(p).replace("/", "\\") for p in company.candidates(win, "win32")] == [
        r"C:\Users\lin\AppData\Roaming\logidesk\company_rules.toml",
        r"C:\ProgramData\logidesk\company_rules.toml"]
    assert company.candidates({"XDG_CONFIG_HOME": "/home/lin/.config"}, "linux") == [
        Path("/home/lin/.config/logidesk/company_rules.toml"), Path("/etc/logidesk/company_rules.toml")]
    assert company.candidates({company.ENV: "/srv/share/规则.toml", **win}, "win32") == [Path("/srv/share/规则.toml")]
    # the first existing file is used; none → no company layer; writes go per machine on Windows
    user, machine = tmp_path / "user", tmp_path / "machine"
    env = {"APPDATA": str(user), "PROGRAMDATA": str(machine)}
    assert company.company_rules_path(env, "win32") is None
    assert company.write_target(env, "win32") == machine / "logidesk" / "company_rules.toml"
    (machine / "logidesk").mkdir(parents=True)
    (machine / "logidesk" / "company_rules.toml").write_text("", encoding="utf-8")
    assert company.company_rules_path(env, "win32") == machine / "logidesk" / "company_rules.toml"
    xdg = {"XDG_CONFIG_HOME": str(user)}
    assert company.write_target(xdg, "linux") == user / "logidesk" / "company_rules.toml"


def test_the_suite_never_reads_a_real_company_file():
    path = company.company_rules_path()
    assert path is None and rb.rulebook().company_path is None
    assert "logidesk-tests-" in str(company.candidates()[0])


# ------------------------------------------------------------------------- layering

def test_company_version_layers_over_the_bundled_version(use_company, monkeypatch):
    path = use_company(COMPANY_2027)
    old, new = udfs.rules_for(D(2026, 12, 31)), udfs.rules_for(D(2027, 1, 1))
    assert (old.id, new.id) == ("2024.1", "2024.1+C2027.1")
    assert new.label() == f"2024.1 + 公司 C2027.1（2027-01-01 起施行；公司规则文件 {path}）"
    assert old.label() == "2024.1（2024-03-01 起施行）"
    monkeypatch.setenv("LOGIDESK_TODAY", "2026-12-31")
    # CMP-1 before the company version: lost goods 1,000, freight 100 → min(1000, 3 × 100) = 300.00
    assert udfs.compensation("遗失", 1000, 100) == Decimal("300.00")
    assert udfs.rules_version() == "2024.1（2024-03-01 起施行）"
    monkeypatch.setenv("LOGIDESK_TODAY", "2027-01-02")
    # from 2027-01-01 the company's k = 5: min(1000, 5 × 100) = 500.00
    assert udfs.compensation("遗失", 1000, 100) == Decimal("500.00")
    assert udfs.rules_version() == f"2024.1 + 公司 C2027.1（2027-01-01 起施行；公司规则文件 {path}）"
    text = udfs.compensation_explain("遗失", 1000, 100)
    assert "按实际损失与 5 倍运费 500.00 元 孰低（CMP-1）" in text
    assert text.endswith(f"（依据公司规则 C2027.1，{path}）。")
    # a route place the company added (STO-3): 福州 F 0.10 / 昆明 C 0.03 → the lower, 0.03
    assert udfs.storage_rate("福州", "昆明") == Decimal("0.03")
    # its own complaint script, and where it came from
    script = udfs.complaint_script("退货")
    assert "费用与时间以本公司退货规定为准" in script and str(path) in script
    assert str(path) not in udfs.complaint_script("服务态度")          # bundled script, no note
    # its own goods category: 只保灭失险 → damage not compensated (CMP-6, INS-5)
    assert udfs.compensation("破损", 1000, 100, 1000, 0.5, "生鲜") == Decimal("0.00")
    assert udfs.compensation("遗失", 800, 100, 1000, None, "冷链生鲜") == Decimal("800.00")
    assert "冷链生鲜" in udfs.rules_in_force()["categories"]


def test_an_upgrade_with_a_new_bundled_version_keeps_the_company_settings(use_company, tmp_path, monkeypatch):
    bundled = tmp_path / "rules.toml"
    bundled.write_text(rb.RULES_PATH.read_text(encoding="utf-8") + '''
[version."2027.2"]
based_on = "2024.1"
title = "2027 年第二版（测试）"
published = 2027-02-01
effective_from = 2027-03-01
[version."2027.2".storage.classes.F]
rate = "0.08"
''', encoding="utf-8")
    monkeypatch.setenv("LOGIDESK_RULES", str(bundled))
    use_company(COMPANY_2027)
    ids = [v.id for v in rb.rulebook().versions]
    assert ids == ["2024.1", "2024.1+C2027.1", "2027.2+C2027.1"]
    r = udfs.rules_for(D(2027, 3, 1))
    assert r.k_multiple == 5 * r.frac_scale and r.class_rate["F"] == 80_000
    monkeypatch.setenv("LOGIDESK_TODAY", "2027-03-02")
    assert udfs.compensation("遗失", 1000, 100) == Decimal("500.00")


def test_company_holidays_replace_or_extend_and_removing_the_file_restores_date5(use_company):
    with pytest.raises(RuleError) as e:
        udfs.deadline("投诉损毁", "2026-12-28")
    assert e.value.rule == "DATE-5" and "2027" in str(e.value)
    path = use_company('''
[holidays.2027]
rule = "DATE-5"
source = "国务院办公厅关于2027年部分节假日安排的通知"
published = 2026-11-10
off = [ { name = "元旦", from = 2027-01-01, to = 2027-01-03 } ]
work = []
''')
    # 5 working days after Mon 2026-12-28: 12-29, 12-30, 12-31, (1-1..1-3 off) 1-4, 1-5
    assert udfs.deadline("投诉损毁", "2026-12-28") == D(2027, 1, 5)
    assert rb.rulebook().holiday_origin[2027] == path
    path.unlink()
    rb.reload()
    with pytest.raises(RuleError, match="2027"):
        udfs.deadline("投诉损毁", "2026-12-28")


# ------------------------------------------------------------------------- refused on load

def _bundled_with(tmp_path, monkeypatch, old: str, new: str) -> Path:
    text = rb.RULES_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "rules.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    monkeypatch.setenv("LOGIDESK_RULES", str(path))
    rb.reload()
    return path


@pytest.mark.parametrize("old,new,key,rule,words", [
    ('rate = "0.005"', 'rate = "-0.005"', 'version."2024.1".insurance.rate', "INS-1", "不能为负数"),
    ('high_fee = "30"', 'high_fee = "4"', 'version."2024.1".cod.high_fee', "COD-1", "封顶手续费 4 低于最低手续费 5"),
    ('published = 2024-02-20', 'published = 2024-02-25', 'version."2024.1".effective_from', "LAW-5",
     "施行日 2024-03-01 距发布日 2024-02-25 仅 5 天，规则变更须提前 10 天公布"),
    ('loss_batch_cap = "5000"', 'loss_batch_cap = "200"', 'version."2024.1".network.types.代理期.loss_batch_cap',
     "NET-2", "批量封顶 200 低于单票标准 300"),
    ('[version."2024.1".storage.classes.C]\nname = "京津唐"\nrate = "0.03"',
     '[version."2024.1".storage.classes.C]\nname = "京津唐"\nrate = "1.5"',
     'version."2024.1".storage.classes.C.rate', "STO-1", "超出范围"),
    ('event = "投诉损毁"', 'event = "投诉损坏"', 'version."2024.1".complaint_levels.重大.event', "CPL-1",
     "时限事件「投诉损坏」未定义"),
    ('[version."2024.1".deadlines."维修报价"]\nrule = "RPR-1"\nunit = "workdays"\nn = 2',
     '[version."2024.1".deadlines."维修报价"]\nrule = "RPR-1"\nunit = "workdays"\nn = 0',
     'version."2024.1".deadlines.维修报价.n', "RPR-1", "应大于 0"),
    ('work = [2026-01-04,', 'work = [2026-01-05,', "holidays.2026.work[0]", "DATE-5",
     "调休上班日 2026-01-05 是周一，不是周末"),
])
def test_a_bad_bundled_file_is_refused_on_load_naming_file_key_and_rule(tmp_path, monkeypatch, old, new, key,
                                                                         rule, words):
    path = _bundled_with(tmp_path, monkeypatch, old, new)
    with pytest.raises(RuleError) as e:
        udfs.cod_fee(100)
    msg = str(e.value)
    assert f"程序自带规则文件 {path}：{key}：" in msg and words in msg and f"（{rule}）" in msg, msg
    assert msg.startswith("规则数据有误，已拒绝加载：")


@pytest.mark.parametrize("text,key,rule,words", [
    (COMPANY_2027.replace("published = 2026-12-15", "published = 2026-12-28"),
     'version."C2027.1".effective_from', "LAW-5", "仅 4 天"),
    (COMPANY_2027.replace('uninsured_freight_multiple = "5"', 'uninsured_freight_multiple = "-5"'),
     'version."C2027.1".compensation.uninsured_freight_multiple', "CMP-1", "不能为负数"),
    (COMPANY_2027 + '[version."C2027.1".insurance]\nrate = "0.001"\n',
     'version."C2027.1".insurance.rate', "INS-1", "公司规则文件不能修改此项"),
    (COMPANY_2027.replace('rule = "CPL-3"\nscript', 'script'),
     'version."C2027.1".complaints.退货.rule', "LAW-5", "缺少规则编号"),
    (COMPANY_2027.replace('cover = "loss_only"', 'cover = "some"'),
     'version."C2027.1".categories.冷链生鲜.cover', "INS-4", "保价类型应为"),
    (COMPANY_2027.replace('aliases = ["生鲜", "冷链"]', 'aliases = ["生鲜", "普货"]'),
     'version."C2027.1".categories.冷链生鲜.aliases', "INS-5", "别名「普货」同时指向「普通货物」和「冷链生鲜」"),
    (COMPANY_2027.replace('cities = { C = [', 'cities = { X = ['),
     'version."C2027.1".storage.cities.X', "STO-3", "线路类别「X」未定义"),
    (COMPANY_2027.replace('[version."C2027.1"]', '[version."2024.1"]').replace('version."C2027.1".', 'version."2024.1".'),
     'version."2024.1"', "LAW-5", "版本号与程序自带版本重名"),
    ('[holidays.2028]\nrule = "DATE-5"\nsource = "x"\npublished = 2027-11-01\noff = []\nwork = []\n',
     "holidays.2028", "DATE-5", "节假日年份须连续：缺 2027 年"),
    ('[holidays.2027]\noff = []\nwork = []\n', "holidays.2027.rule", "DATE-5", '缺少规则编号 rule = "DATE-5"'),
    ('[version.x\n', "", "LAW-5", "格式错误，第 1 行第 11 列：表名缺少右方括号「]」"),
    (COMPANY_2027.replace("effective_from = 2027-01-01", "effective_from = 2027-01-01T08:00:00"),
     'version."C2027.1".effective_from', "LAW-5", "缺少日期或不是日期"),
    ('[holidays.2027]\nrule = "DATE-5"\nsource = "x"\npublished = 2026-11-10\n'
     'off = [ { name = "元旦", from = 2027-01-01T00:00:00, to = 2027-01-03 } ]\nwork = []\n',
     "holidays.2027.off[0]", "DATE-5", "每项应有 name、from、to（日期）"),
])
def test_a_bad_company_file_is_refused_on_load_naming_file_key_and_rule(use_company, text, key, rule, words):
    path = use_company(text)
    with pytest.raises(RuleError) as e:
        udfs.rules_version()
    msg = str(e.value)
    assert f"公司规则文件 {path}" in msg and words in msg and f"（{rule}）" in msg and key in msg, msg


def test_rules_check_validates_both_files_and_lists_the_years(use_company, capsys):
    assert rules_main(["check", "--today", "2026-06-01"]) == 0
    out = capsys.readouterr().out
    assert f"程序自带规则文件：{rb.RULES_PATH}" in out and "公司规则文件：无" in out
    assert "节假日已收录：2023–2026 年" in out and "检查通过" in out and "【提醒】" not in out
    assert rules_main(["check", "--today", "2026-11-01"]) == 0
    assert "尚未收录 2027 年" in capsys.readouterr().out
    path = use_company(COMPANY_2027 + '''
[holidays.2027]
rule = "DATE-5"
source = "国务院办公厅关于2027年部分节假日安排的通知"
published = 2026-11-10
off = [ { name = "元旦", from = 2027-01-01, to = 2027-01-03 } ]
work = []
''')
    assert rules_main(["check", "--today", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    assert f"公司规则文件：{path}" in out and "节假日已收录：2023–2027 年" in out and "2027：公司规则文件" in out
    assert "版本 2024.1+C2027.1：发布 2026-12-15，2027-01-01 起施行；公司 C2027.1" in out
    assert "【提醒】" not in out
    path.write_text(COMPANY_2027.replace('"5"', '"-5"'), encoding="utf-8")
    assert rules_main(["check"]) == 1
    out = capsys.readouterr().out
    assert "发现 1 处问题" in out and "uninsured_freight_multiple：不能为负数" in out and "（CMP-1）" in out


def test_a_later_bundled_version_must_state_its_own_dates(tmp_path, monkeypatch):
    path = tmp_path / "rules.toml"
    path.write_text(rb.RULES_PATH.read_text(encoding="utf-8") + '''
[version."2027.1"]
based_on = "2024.1"
effective_from = 2027-01-01
[version."2027.1".compensation]
uninsured_freight_multiple = "4"
''', encoding="utf-8")
    monkeypatch.setenv("LOGIDESK_RULES", str(path))
    rb.reload()
    with pytest.raises(RuleError) as e:
        udfs.rules_version()
    assert f"程序自带规则文件 {path}：version.\"2027.1\".published：缺少日期" in str(e.value)
    assert e.value.rule == "LAW-5"
    monkeypatch.delenv("LOGIDESK_RULES")
    rb.reload()
