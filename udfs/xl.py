"""Excel functions (xlwings UDFs) — GENERATED from udfs/registry.py by `python -m udfs.gen_xl`.
Do not edit: change the declaration and regenerate (tests/test_udf_registry.py fails when stale).

Every argument declares ``ndim=2, err_to_str=True``: an error cell (#N/A, #VALUE!, …) reaches
udfs.xlcall as an error, never as a blank, and a range keeps its shape. One cell in → one value;
a range in → a block of the same shape. Bad input → ``错误：<message>（rule）`` in the cell.
The functions carry no type annotations on purpose: xlwings reads annotations as converters.
"""
import xlwings as xw

from udfs.xlcall import ERROR_PREFIX, call  # noqa: F401

CATEGORY = '物流客服'


@xw.func(category='物流客服')
@xw.arg('declared_value', ndim=2, err_to_str=True, doc='声明价值（元）；空或 0 表示不保价')
@xw.arg('rate', ndim=2, err_to_str=True, doc='保价费率，默认 0.5%（INS-1）')
@xw.arg('minimum', ndim=2, err_to_str=True, doc='每票最低保价费，默认 5 元（INS-1）')
@xw.arg('category', ndim=2, err_to_str=True, doc='货物类别；不予保价的货物（如 珠宝、古董）保价费为 0（INS-7）')
def INSURANCE_PREMIUM(declared_value, rate=None, minimum=None, category=None):
    """保价费（INS-1、INS-7）：声明价值 × 0.5%，每票最低 5 元；未保价或不予保价的货物为 0。"""
    return call('INSURANCE_PREMIUM', declared_value, rate, minimum, category)


@xw.func(category='物流客服')
@xw.arg('category', ndim=2, err_to_str=True, doc='货物类别，如 普通货物、易碎品、珠宝')
@xw.arg('value_per_item', ndim=2, err_to_str=True, doc='单件保价金额（元）')
def INSURANCE_CHECK(category, value_per_item):
    """保价判定（INS-2..5）：可保价 / 只保灭失险 / 不予保价，及超 10 万、20 万元的审批要求。"""
    return call('INSURANCE_CHECK', category, value_per_item)


@xw.func(category='物流客服')
@xw.arg('category', ndim=2, err_to_str=True, doc='货物类别')
def INSURANCE_REMARK(category):
    """运单备注（INS-5）：只保灭失险货物必须注明的文字；其他货物为空。"""
    return call('INSURANCE_REMARK', category)


@xw.func(category='物流客服')
@xw.arg('amount', ndim=2, err_to_str=True, doc='代收金额（元）')
def COD_FEE(amount):
    """代收货款手续费（COD-1）：≤2000 元 5 元；≤10000 元 3‰；以上 30 元封顶。"""
    return call('COD_FEE', amount)


@xw.func(category='物流客服')
@xw.arg('notice_date', ndim=2, err_to_str=True, doc='到货通知日期')
@xw.arg('pickup_date', ndim=2, err_to_str=True, doc='提货日期')
def STORAGE_DAYS(notice_date, pickup_date):
    """仓储计费天数（STO-2）：提货日 − 通知日 − 3 天免费期，最少 0。"""
    return call('STORAGE_DAYS', notice_date, pickup_date)


@xw.func(category='物流客服')
@xw.arg('origin', ndim=2, err_to_str=True, doc='始发地：城市、省，或含区县的地址（如 浙江省温州市鹿城区）')
@xw.arg('destination', ndim=2, err_to_str=True, doc='目的地：城市、省，或含区县的地址')
def STORAGE_RATE(origin, destination):
    """仓储保管费日费率（STO-1、STO-3、STO-4）：0.10 / 0.05 / 0.03，取两端较低者；区县按所属城市。"""
    return call('STORAGE_RATE', origin, destination)


@xw.func(category='物流客服')
@xw.arg('freight', ndim=2, err_to_str=True, doc='运费（元）')
@xw.arg('notice_date', ndim=2, err_to_str=True, doc='到货通知日期')
@xw.arg('pickup_date', ndim=2, err_to_str=True, doc='提货日期')
@xw.arg('rate_or_origin', ndim=2, err_to_str=True, doc='日费率（数字），或始发地（城市、省或含区县的地址，此时须填目的地）')
@xw.arg('destination', ndim=2, err_to_str=True, doc='目的地（第 4 个参数为始发地时必填）')
def STORAGE_FEE(freight, notice_date, pickup_date, rate_or_origin, destination=None):
    """仓储保管费（STO-1..3）：运费 × 日费率 × 计费天数。"""
    return call('STORAGE_FEE', freight, notice_date, pickup_date, rate_or_origin, destination)


@xw.func(category='物流客服')
@xw.arg('origin', ndim=2, err_to_str=True, doc='始发地（本网点）：城市、省，或含区县的地址，如 福州')
@xw.arg('destination', ndim=2, err_to_str=True, doc='目的地：城市、省，或含区县的地址，如 浙江省温州市鹿城区')
@xw.arg('weight', ndim=2, err_to_str=True, doc='实际重量（千克），大于 0')
@xw.arg('length', ndim=2, err_to_str=True, doc='长（厘米）；长、宽、高都不填则不计体积重量')
@xw.arg('width', ndim=2, err_to_str=True, doc='宽（厘米）')
@xw.arg('height', ndim=2, err_to_str=True, doc='高（厘米）')
def FREIGHT(origin, destination, weight, length=None, width=None, height=None):
    """运费（FRT-1、FRT-2）：按公司运价表的区域计价；快递按首重、续重（向上取整），计费重量取实重与体积重量（长×宽×高÷运价表的体积除数，未设时 6000）的大者；零担按重量与体积分别计价取高者；不低于每票最低运费。程序自带的是示例运价，FREIGHT_EXPLAIN 会注明。"""
    return call('FREIGHT', origin, destination, weight, length, width, height)


@xw.func(category='物流客服')
@xw.arg('origin', ndim=2, err_to_str=True, doc='始发地（本网点）：城市、省，或含区县的地址，如 福州')
@xw.arg('destination', ndim=2, err_to_str=True, doc='目的地：城市、省，或含区县的地址，如 浙江省温州市鹿城区')
@xw.arg('weight', ndim=2, err_to_str=True, doc='实际重量（千克），大于 0')
@xw.arg('length', ndim=2, err_to_str=True, doc='长（厘米）；长、宽、高都不填则不计体积重量')
@xw.arg('width', ndim=2, err_to_str=True, doc='宽（厘米）')
@xw.arg('height', ndim=2, err_to_str=True, doc='高（厘米）')
def FREIGHT_EXPLAIN(origin, destination, weight, length=None, width=None, height=None):
    """运费说明（FRT-1..3）：区域、计费重量、所用价格与规则编号；使用示例运价时注明「示例运价，请管理员设置公司运价」。"""
    return call('FREIGHT_EXPLAIN', origin, destination, weight, length, width, height)


@xw.func(category='物流客服')
@xw.arg('claim_type', ndim=2, err_to_str=True, doc='索赔类型：遗失、破损、内件不符、延误')
@xw.arg('value', ndim=2, err_to_str=True, doc='物品价值（元）：遗失为丢失的价值，破损/内件不符为全部内件价值，延误为物品价值（CMP-3）')
@xw.arg('freight', ndim=2, err_to_str=True, doc='运费（元）')
@xw.arg('insured_value', ndim=2, err_to_str=True, doc='保价金额（元），未保价留空')
@xw.arg('lost_share', ndim=2, err_to_str=True, doc='损失比例 0–1：破损、内件不符必填（CMP-8）；延误为延误毁损的比例，默认 0（CMP-3）；遗失为 1')
@xw.arg('category', ndim=2, err_to_str=True, doc='货物类别，默认 普通货物')
def COMPENSATION(claim_type, value, freight, insured_value=None, lost_share=None, category=None):
    """赔偿金额（CMP-1..8、INS-4/5）：保价按保价金额与损失孰低，未保价按 3 倍运费封顶；单纯延误不赔货款（CMP-3）。"""
    return call('COMPENSATION', claim_type, value, freight, insured_value, lost_share, category)


@xw.func(category='物流客服')
@xw.arg('claim_type', ndim=2, err_to_str=True, doc='索赔类型：遗失、破损、内件不符、延误')
@xw.arg('value', ndim=2, err_to_str=True, doc='物品价值（元）：遗失为丢失的价值，破损/内件不符为全部内件价值，延误为物品价值（CMP-3）')
@xw.arg('freight', ndim=2, err_to_str=True, doc='运费（元）')
@xw.arg('insured_value', ndim=2, err_to_str=True, doc='保价金额（元），未保价留空')
@xw.arg('lost_share', ndim=2, err_to_str=True, doc='损失比例 0–1：破损、内件不符必填（CMP-8）；延误为延误毁损的比例，默认 0（CMP-3）；遗失为 1')
@xw.arg('category', ndim=2, err_to_str=True, doc='货物类别，默认 普通货物')
def COMPENSATION_EXPLAIN(claim_type, value, freight, insured_value=None, lost_share=None, category=None):
    """赔偿说明：适用的规则编号、基数、封顶、结果与免收运费。"""
    return call('COMPENSATION_EXPLAIN', claim_type, value, freight, insured_value, lost_share, category)


@xw.func(category='物流客服')
@xw.arg('claim_type', ndim=2, err_to_str=True, doc='索赔类型')
@xw.arg('freight', ndim=2, err_to_str=True, doc='运费（元）')
@xw.arg('lost_share', ndim=2, err_to_str=True, doc='损失比例 0–1，默认 1')
def FREIGHT_WAIVER(claim_type, freight, lost_share=None):
    """免收运费（CMP-4）：遗失、延误、完全破损免收；部分破损、内件不符不免。"""
    return call('FREIGHT_WAIVER', claim_type, freight, lost_share)


@xw.func(category='物流客服')
@xw.arg('ship_date', ndim=2, err_to_str=True, doc='寄件日期')
@xw.arg('claim_date', ndim=2, err_to_str=True, doc='索赔日期')
@xw.arg('cause', ndim=2, err_to_str=True, doc='原因：客户原因、货物性质、不可抗力、客户自行包装、签收后索赔，可空')
@xw.arg('insured', ndim=2, err_to_str=True, doc='是否保价（是/否）')
def CLAIM_CHECK(ship_date, claim_date, cause=None, insured=None):
    """受理判定（CLM-5..7）：受理，或 不予受理：原因（规则编号）。"""
    return call('CLAIM_CHECK', ship_date, claim_date, cause, insured)


@xw.func(category='物流客服')
@xw.arg('claim_type', ndim=2, err_to_str=True, doc='索赔类型')
@xw.arg('value', ndim=2, err_to_str=True, doc='物品价值（元）')
@xw.arg('lost_share', ndim=2, err_to_str=True, doc='损失比例 0–1，默认 1')
@xw.arg('has_invoice', ndim=2, err_to_str=True, doc='有正规发票（是/否），默认 是')
@xw.arg('practical', ndim=2, err_to_str=True, doc='实用性物品（是/否），默认 是')
def ECOM_COMPENSATION(claim_type, value, lost_share=None, has_invoice=None, practical=None):
    """电商件赔偿（ECM-1..6）：部分破损 ≤500 元，其他 ≤2000 元，无发票 ≤1000/700 元；延误不适用（ECM-6）。"""
    return call('ECOM_COMPENSATION', claim_type, value, lost_share, has_invoice, practical)


@xw.func(category='物流客服')
@xw.arg('claim_type', ndim=2, err_to_str=True, doc='索赔类型：遗失或延误')
@xw.arg('actual_value', ndim=2, err_to_str=True, doc='物品实际价值（元），低于标准时按实际价值')
@xw.arg('days_late', ndim=2, err_to_str=True, doc='延误天数')
@xw.arg('weight_kg', ndim=2, err_to_str=True, doc='重量（kg），1 kg 以内（含）封顶 250 元')
@xw.arg('network', ndim=2, err_to_str=True, doc='网点类型：直营、代理期、第三方')
@xw.arg('batch', ndim=2, err_to_str=True, doc='批货/整包件的运单票数（如 20）；空、0、1 或 否 为单票（NET-9）')
def NETWORK_COMPENSATION(claim_type, actual_value, days_late=None, weight_kg=None, network=None, batch=None):
    """网点间赔付（NET-1..3、5..10）：遗失、延误按网点类型的标准，批货按票数，均不超过实际价值。"""
    return call('NETWORK_COMPENSATION', claim_type, actual_value, days_late, weight_kg, network, batch)


@xw.func(category='物流客服')
@xw.arg('amount', ndim=2, err_to_str=True, doc='结案金额（元）')
@xw.arg('side', ndim=2, err_to_str=True, doc='罚款方（6%）或 获赔方（4%）')
def NETWORK_FEE(amount, side):
    """结案手续费（NET-4）：罚款方 6%，获赔方 4%。"""
    return call('NETWORK_FEE', amount, side)


@xw.func(category='物流客服')
@xw.arg('event_name', ndim=2, err_to_str=True, doc='时限事件，如 索赔处理、破损公告、投诉延误、开票')
@xw.arg('start', ndim=2, err_to_str=True, doc='起算日期（小时时限可含时间）')
@xw.arg('scope', ndim=2, err_to_str=True, doc='范围：索赔处理 国内/港澳台/国际；内部理赔 未保价/保价')
def DEADLINE(event_name, start, scope=None):
    """期限（DL-*、CPL-1、INV-1、COD-2、RPR-1、LAW-3/4）：日期，小时时限为日期时间。"""
    return call('DEADLINE', event_name, start, scope)


@xw.func(category='物流客服')
@xw.arg('event_name', ndim=2, err_to_str=True, doc='时限事件')
@xw.arg('start', ndim=2, err_to_str=True, doc='起算日期')
@xw.arg('done', ndim=2, err_to_str=True, doc='完成日期，未完成留空')
@xw.arg('today', ndim=2, err_to_str=True, doc='今天，默认系统日期')
@xw.arg('scope', ndim=2, err_to_str=True, doc='范围')
def DEADLINE_STATUS(event_name, start, done=None, today=None, scope=None):
    """时限状态：剩余N天 / 今日到期 / 已逾期N天 / 按时完成 / 逾期N天完成；小时时限按小时（DATE-3）。"""
    return call('DEADLINE_STATUS', event_name, start, done, today, scope)


@xw.func(category='物流客服')
@xw.arg('start', ndim=2, err_to_str=True, doc='起始日期')
@xw.arg('n', ndim=2, err_to_str=True, doc='工作日数（负数向前）')
def WORKDAYS_ADD(start, n):
    """第 n 个工作日（DATE-2），按国务院放假安排含调休。"""
    return call('WORKDAYS_ADD', start, n)


@xw.func(category='物流客服')
@xw.arg('day', ndim=2, err_to_str=True, doc='日期')
def IS_WORKDAY(day):
    """是否工作日（DATE-2），含调休上班的周末。"""
    return call('IS_WORKDAY', day)


@xw.func(category='物流客服')
@xw.arg('pieces', ndim=2, err_to_str=True, doc='单票件数')
@xw.arg('violation', ndim=2, err_to_str=True, doc='违规类型：未贴、贴不全、旧标签未清除')
def LABEL_PENALTY(pieces, violation):
    """标签违规罚款（LBL-1），每票。"""
    return call('LABEL_PENALTY', pieces, violation)


@xw.func(category='物流客服')
@xw.arg('category', ndim=2, err_to_str=True, doc='投诉类别，如 服务态度、货品滞留、快件延误')
def COMPLAINT_LEVEL(category):
    """投诉级别与处理时限（CPL-1）。"""
    return call('COMPLAINT_LEVEL', category)


@xw.func(category='物流客服')
@xw.arg('category', ndim=2, err_to_str=True, doc='投诉类别')
def COMPLAINT_SCRIPT(category):
    """投诉回答要点与处理方式（CPL-3）。"""
    return call('COMPLAINT_SCRIPT', category)


@xw.func(category='物流客服')
@xw.arg('category', ndim=2, err_to_str=True, doc='投诉类别')
def COMPLAINT_EVENT(category):
    """投诉类别对应的时限事件（CPL-1）：投诉服务态度 / 投诉延误 / 投诉损毁，供 DEADLINE 使用。"""
    return call('COMPLAINT_EVENT', category)


@xw.func(category='物流客服')
def RULES_VERSION():
    """当前施行的规则版本。"""
    return call('RULES_VERSION')


@xw.func(category='物流客服')
@xw.arg('values', ndim=2, err_to_str=True, doc='要合计的区域（本加载项函数的结果）')
def SAFE_SUM(values):
    """安全合计：区域内有错误值、「错误：」单元格或其他文字时不给出合计，并指出是哪个单元格，避免 SUM 悄悄漏掉错误行。"""
    return call('SAFE_SUM', values)


@xw.func(category='物流客服')
@xw.arg('result', ndim=2, err_to_str=True, doc='本列公式的计算结果，本行输入无误时原样显示')
@xw.arg('register', ndim=2, err_to_str=True, doc='登记表类型：claims（理赔）、complaints（投诉）、storage（仓储）、cod（代收货款）；写作 claims@赔偿说明 时有错误只显示「错误：见「赔偿说明」」')
@xw.arg('cells', ndim=2, err_to_str=True, doc='本行被检查的输入单元格，按模板列的顺序（由模板生成）')
def ROW_CHECK(result, register, *cells):
    """登记行检查：按登记表模板的列规则（必填、下拉列表、数字与日期、日期先后）检查本行输入，有错误时显示「错误：」及本行第一个错误（与错误清单相同），否则显示计算结果。模板的计算列已使用。"""
    return call('ROW_CHECK', result, register, *cells)
