"""Each register as ROW_CHECK reads it — GENERATED from workbooks/spec.py by
`python -m workbooks.gen_checks`. Do not edit: change the template.

INPUTS: the checked input columns, in template order: (header, kind, required, drop-down list
key, rule, date it may not precede). COMPUTED: the computed columns, in template order:
(header, guard inputs, expression) with expressions as nested tuples — ("ref", header),
("lit", value), ("blank",), ("call", function, args), ("if", cond, then, else),
("eq", header, text), ("positive", header), ("refused", header), ("out", header),
("status", deadline expression)."""

INPUTS = {
    'claims': (
        ('运单号', 'text', True, None, 'NTC-5', None),
        ('寄件日期', 'date', True, None, 'CLM-7', None),
        ('索赔日期', 'date', True, None, 'CLM-7', '寄件日期'),
        ('索赔类型', 'choice', True, 'claim_types', 'CLM-1', None),
        ('索赔原因', 'choice', False, 'causes', 'CLM-5', None),
        ('货物类别', 'choice', True, 'categories', 'INS-4', None),
        ('物品价值', 'money', True, None, 'CMP-1', None),
        ('损失比例', 'share', False, None, 'CMP-2', None),
        ('保价金额', 'money', False, None, 'INS-1', None),
        ('运费', 'money', True, None, 'CMP-1', None),
        ('重量(kg)', 'number', False, None, 'NET-5', None),
        ('延误天数', 'int', False, None, 'NET-5', None),
        ('实际送达日期', 'date', False, None, 'NTC-3', None),
        ('寄递范围', 'choice', False, 'scopes', 'DL-2', None),
        ('电商件', 'flag', False, 'yes_no', 'ECM-1', None),
        ('有正规发票', 'flag', False, 'yes_no', 'ECM-3', None),
        ('实用性物品', 'flag', False, 'yes_no', 'ECM-3', None),
        ('网点类型', 'choice', False, 'networks', 'NET-1', None),
        ('批货', 'int', False, None, 'NET-9', None),
        ('已付金额', 'money', False, None, 'DL-3', None),
        ('结案日期', 'date', False, None, 'DL-2', '索赔日期'),
        ('责任环节', 'choice', False, 'links', 'ANL-1', None),
        ('原因', 'choice', False, 'loss_causes', 'ANL-1', None),
        ('上报集团日期', 'date', False, None, 'ANL-3', None),
    ),
    'complaints': (
        ('投诉日期', 'date', True, None, 'CPL-1', None),
        ('投诉人', 'text', True, None, 'CPL-2', None),
        ('投诉类别', 'choice', True, 'complaints', 'CPL-3', None),
        ('结案日期', 'date', False, None, 'CPL-1', '投诉日期'),
    ),
    'storage': (
        ('运单号', 'text', True, None, 'STO-1', None),
        ('到货通知日期', 'date', True, None, 'STO-2', None),
        ('提货日期', 'date', False, None, 'STO-2', '到货通知日期'),
        ('运费', 'money', True, None, 'STO-1', None),
        ('始发地', 'choice', True, 'places', 'STO-3', None),
        ('目的地', 'choice', True, 'places', 'STO-3', None),
    ),
    'cod': (
        ('运单号', 'text', True, None, 'COD-1', None),
        ('代收金额', 'money', True, None, 'COD-1', None),
        ('到账日期', 'date', False, None, 'COD-2', None),
        ('提款日期', 'date', False, None, 'COD-2', '到账日期'),
    ),
}

COMPUTED = {
    'claims': (
        ('受理判定', ('运单号',),
         ('call', 'claim_check', (('ref', '寄件日期'), ('ref', '索赔日期'), ('ref', '索赔原因'), ('positive', '保价金额')))),
        ('赔偿金额', ('运单号',),
         ('if', ('refused', '受理判定'), ('lit', 0), ('if', ('eq', '电商件', '是'), ('call', 'ecom_compensation', (('ref', '索赔类型'), ('ref', '物品价值'), ('ref', '损失比例'), ('ref', '有正规发票'), ('ref', '实用性物品'))), ('call', 'compensation', (('ref', '索赔类型'), ('ref', '物品价值'), ('ref', '运费'), ('ref', '保价金额'), ('ref', '损失比例'), ('ref', '货物类别')))))),
        ('免收运费', ('运单号',),
         ('if', ('refused', '受理判定'), ('lit', 0), ('call', 'freight_waiver', (('ref', '索赔类型'), ('ref', '运费'), ('ref', '损失比例'))))),
        ('网点赔付', ('运单号', '网点类型'),
         ('if', ('refused', '受理判定'), ('lit', 0), ('if', ('eq', '索赔类型', '破损'), ('blank',), ('if', ('eq', '索赔类型', '内件不符'), ('blank',), ('call', 'network_compensation', (('ref', '索赔类型'), ('ref', '物品价值'), ('ref', '延误天数'), ('ref', '重量(kg)'), ('ref', '网点类型'), ('ref', '批货'))))))),
        ('赔偿说明', ('运单号',),
         ('if', ('refused', '受理判定'), ('out', '受理判定'), ('if', ('eq', '电商件', '是'), ('lit', '电商件：按电商件赔偿标准计算（ECM-1～ECM-5）'), ('call', 'compensation_explain', (('ref', '索赔类型'), ('ref', '物品价值'), ('ref', '运费'), ('ref', '保价金额'), ('ref', '损失比例'), ('ref', '货物类别')))))),
        ('受理答复期限', ('运单号',),
         ('call', 'deadline', (('lit', '索赔受理'), ('ref', '索赔日期')))),
        ('处理期限', ('运单号',),
         ('call', 'deadline', (('lit', '索赔处理'), ('ref', '索赔日期'), ('ref', '寄递范围')))),
        ('时限状态', ('运单号',),
         ('status', ('call', 'deadline', (('lit', '索赔处理'), ('ref', '索赔日期'), ('ref', '寄递范围'))))),
    ),
    'complaints': (
        ('级别', ('投诉日期',),
         ('call', 'complaint_level', (('ref', '投诉类别'),))),
        ('处理期限', ('投诉日期',),
         ('call', 'deadline', (('call', 'complaint_event', (('ref', '投诉类别'),)), ('ref', '投诉日期')))),
        ('法定答复期限', ('投诉日期',),
         ('call', 'deadline', (('lit', '投诉法定答复'), ('ref', '投诉日期')))),
        ('时限状态', ('投诉日期',),
         ('status', ('call', 'deadline', (('call', 'complaint_event', (('ref', '投诉类别'),)), ('ref', '投诉日期'))))),
        ('回答要点', ('投诉日期',),
         ('call', 'complaint_script', (('ref', '投诉类别'),))),
    ),
    'storage': (
        ('日费率', ('运单号',),
         ('call', 'storage_rate', (('ref', '始发地'), ('ref', '目的地')))),
        ('计费天数', ('运单号', '提货日期'),
         ('call', 'storage_days', (('ref', '到货通知日期'), ('ref', '提货日期')))),
        ('仓储保管费', ('运单号', '提货日期'),
         ('call', 'storage_fee', (('ref', '运费'), ('ref', '到货通知日期'), ('ref', '提货日期'), ('ref', '始发地'), ('ref', '目的地')))),
    ),
    'cod': (
        ('手续费', ('运单号',),
         ('call', 'cod_fee', (('ref', '代收金额'),))),
        ('提款期限', ('运单号', '到账日期'),
         ('call', 'deadline', (('lit', '代收货款提取'), ('ref', '到账日期')))),
        ('状态', ('运单号', '到账日期'),
         ('status', ('call', 'deadline', (('lit', '代收货款提取'), ('ref', '到账日期'))))),
    ),
}

# drop-down lists that only suggest (any place is read by STO-4)
OPEN_LISTS = frozenset(['places'])
